#pragma once

#include <cstdio>

#include <QObject>
#include <QString>

#include "app/KeychainSecretStore.h"
#include "engine/admin/AdminServer.h"
#include "engine/core/Gateway.h"

namespace gatehouse::app {

class SignalWatcher;

// `gatehouse serve`: runs a profile with no GUI, writes the access log as JSON lines on
// stdout, drains on SIGINT/SIGTERM and reloads on SIGHUP (a bad profile keeps the old one).
class HeadlessServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeadlessServer)
public:
    HeadlessServer(QString profilePath, bool quiet, QObject *parent = nullptr);
    ~HeadlessServer() override;

    // Returns an exit code when starting failed, or -1 when the server is running.
    int start();

private:
    void reload();
    void writeAccessLog(const QList<engine::TrafficEvent> &events);
    void announce();

    QString m_profilePath;
    bool m_quiet = false;
    KeychainSecretStore m_keychain; // outlives m_gateway, which reads through it
    engine::Gateway m_gateway;
    engine::AdminServer m_admin;
    SignalWatcher *m_signals = nullptr;
};

} // namespace gatehouse::app
