#pragma once

#include <memory>

#include <QObject>
#include <QString>

#include "engine/admin/AdminApi.h"
#include "engine/profile/Profile.h"

class QTcpServer;
class QTcpSocket;

namespace gatehouse::engine {

class Gateway;
class SecretStore;

// The admin API's listener (`admin.bind`, SPEC §4) on the caller's thread: admin traffic is
// light, and the calls it makes (apply a profile, read state) belong on the Gateway's thread
// anyway. HTTP/1.1 with keep-alive, requests parsed by the proxy's own parser; heads up to
// 64 KiB, bodies up to 4 MiB, 30 s for a request, at most 32 connections.
class AdminServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminServer)
public:
    AdminServer(Gateway &gateway, SecretStore *secrets, QObject *parent = nullptr);
    ~AdminServer() override;

    // Listens as the profile says (or stops, without an `admin` section), reading the token
    // through `secrets`. Keeps the socket when the bind did not change. False, with `error`
    // naming the address or the token reference, when it cannot; the previous state stays.
    bool apply(const profile::Profile &profile, QString *error);
    // "http://127.0.0.1:9901", or empty when not listening.
    QString url() const;

private:
    void onNewConnection();

    Gateway &m_gateway;
    SecretStore *m_secrets;
    AdminApi m_api;
    std::unique_ptr<QTcpServer> m_server;
    profile::HostPort m_bind;
    std::optional<profile::ListenerTls> m_tls;
};

} // namespace gatehouse::engine
