#pragma once

#include <cstdio>

#include <QObject>
#include <QString>

#include "app/KeychainSecretStore.h"
#include "engine/admin/AdminServer.h"
#include "engine/log/AccessLogWriter.h"
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
    bool openAccessLogs(const profile::Profile &profile, QString *error);
    void writeAccessLog(const QList<engine::TrafficEvent> &events);
    void announce();

    QString m_profilePath;
    bool m_quiet = false;
    KeychainSecretStore m_keychain; // outlives m_gateway, which reads through it
    engine::Gateway m_gateway;
    engine::AdminServer m_admin;
    // stdout and the profile's `access_log` file, each written by a thread of its own: a reader
    // that stops reading or a slow disk drops (and counts) lines instead of stalling the gateway.
    std::unique_ptr<engine::AccessLogWriter> m_stdoutLog;
    std::unique_ptr<engine::AccessLogWriter> m_fileLog;
    std::optional<profile::AccessLog> m_fileLogSettings;
    SignalWatcher *m_signals = nullptr;
};

} // namespace gatehouse::app
