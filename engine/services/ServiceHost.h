#pragma once

#include <memory>

#include <QList>
#include <QObject>
#include <QStringList>

#include "engine/profile/Profile.h"
#include "engine/services/ServiceInfo.h"

class QThread;

namespace gatehouse::engine {

class EchoServer;

// Runs a profile's built-in services (`services:`, kind echo) on a thread of their own, so a
// busy demo upstream never competes with the UI thread. apply() keeps services that did not
// change, starts new ones and stops removed ones.
class ServiceHost final
{
public:
    ServiceHost();
    ~ServiceHost();
    ServiceHost(const ServiceHost &) = delete;
    ServiceHost &operator=(const ServiceHost &) = delete;

    // On failure nothing changes and errors name the service and its bind.
    bool apply(const QList<profile::Service> &services, QStringList &errors);
    QList<ServiceInfo> services() const;

private:
    struct Running
    {
        profile::Service config;
        EchoServer *server = nullptr;
        quint16 port = 0;
    };
    void stopServer(EchoServer *server);

    QThread *m_thread = nullptr;
    QObject *m_home = nullptr; // lives on m_thread; parent of the servers
    QList<Running> m_running;
};

} // namespace gatehouse::engine
