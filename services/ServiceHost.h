#pragma once

#include <memory>

#include <QList>
#include <QObject>
#include <QStringList>

#include "engine/core/ServiceRunner.h"
#include "engine/profile/Profile.h"

class QThread;

namespace gatehouse::services {

class EchoServer;

// Runs a profile's built-in services (`services:`, kind echo) on a thread of their own, so a
// busy demo upstream never competes with the UI thread: the app gives one to its Gateway.
class ServiceHost final : public engine::ServiceRunner
{
public:
    ServiceHost();
    ~ServiceHost() override;
    ServiceHost(const ServiceHost &) = delete;
    ServiceHost &operator=(const ServiceHost &) = delete;

    bool apply(const QList<profile::Service> &services, QStringList &errors) override;
    QList<engine::ServiceInfo> services() const override;

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

} // namespace gatehouse::services
