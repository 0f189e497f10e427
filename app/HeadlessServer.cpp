#include "app/HeadlessServer.h"

#include <limits>

#include <QCoreApplication>
#include <QDir>

#include "app/Commands.h"
#include "app/ProfileLoading.h"
#include "app/SignalWatcher.h"
#include "engine/core/DescriptorLimit.h"
#include "engine/tls/TlsWarnings.h"
#include "services/ServiceHost.h"

namespace gatehouse::app {

HeadlessServer::HeadlessServer(QString profilePath, bool quiet, QObject *parent)
    : QObject(parent)
    , m_profilePath(std::move(profilePath))
    , m_quiet(quiet)
    , m_admin(m_gateway, &m_keychain)
    , m_signals(new SignalWatcher(this))
{
    m_gateway.setSecretStore(&m_keychain);
    m_gateway.setServiceRunner(std::make_unique<services::ServiceHost>());
    connect(m_signals, &SignalWatcher::reloadRequested, this, &HeadlessServer::reload);
    connect(m_signals, &SignalWatcher::terminateRequested, this, [this](int) {
        printError(QStringLiteral("draining in-flight requests, then exiting"));
        m_gateway.stop(std::chrono::seconds(10));
    });
    connect(&m_gateway, &engine::Gateway::stopped, this, [] { QCoreApplication::exit(ExitOk); });
}

HeadlessServer::~HeadlessServer() = default;

int HeadlessServer::start()
{
    const auto profile = loadProfileOrReport(m_profilePath, stderr);
    if (!profile) {
        return ExitInvalid;
    }
    if (!m_gateway.start(*profile)) {
        const engine::GatewayError error = m_gateway.lastError();
        for (const QString &message : error.messages) {
            printError(message);
        }
        return error.kind == engine::GatewayError::Kind::InvalidProfile ? ExitInvalid : ExitRuntime;
    }
    QString error;
    if (!m_admin.apply(*profile, &error) || !openAccessLogs(*profile, &error)) {
        printError(error);
        return ExitRuntime;
    }
    announce();
    return -1;
}

void HeadlessServer::announce()
{
    for (const engine::ServiceInfo &service : m_gateway.services()) {
        printError(QStringLiteral("service %1 (%2) on %3:%4").arg(service.name, service.kind, service.host).arg(service.port));
    }
    for (const engine::ListenerInfo &listener : m_gateway.listeners()) {
        printError(QStringLiteral("listening on %1").arg(listener.url()));
    }
    for (const QString &warning : engine::tls::insecureTlsWarnings(m_gateway.profile())
             + engine::descriptorLimitWarnings(m_gateway.profile())) {
        printError(QStringLiteral("warning: ") + warning);
    }
    if (!m_admin.url().isEmpty()) {
        printError(QStringLiteral("admin API on %1").arg(m_admin.url()));
    }
}

void HeadlessServer::reload()
{
    printError(QStringLiteral("SIGHUP: reloading %1").arg(m_profilePath));
    const auto profile = loadProfileOrReport(m_profilePath, stderr);
    if (!profile) {
        printError(QStringLiteral("reload failed: the profile has problems; the running profile stays"));
        return;
    }
    if (!m_gateway.apply(*profile)) {
        for (const QString &message : m_gateway.lastError().messages) {
            printError(message);
        }
        printError(QStringLiteral("reload failed; the running profile stays"));
        return;
    }
    QString error;
    if (!openAccessLogs(*profile, &error)) {
        printError(QStringLiteral("%1; the access log keeps its previous file").arg(error));
    }
    printError(QStringLiteral("reloaded"));
    announce();
}

void HeadlessServer::writeAccessLog(const QList<engine::TrafficEvent> &events)
{
    for (const engine::TrafficEvent &event : events) {
        const QByteArray line = engine::toAccessLogJson(event);
        if (m_stdoutLog) {
            m_stdoutLog->append(line);
        }
        if (m_fileLog) {
            m_fileLog->append(line);
        }
    }
}

bool HeadlessServer::openAccessLogs(const profile::Profile &profile, QString *error)
{
    if (!m_quiet && !m_stdoutLog) {
        // Never rotated (not a plain file); its size limit only has to be out of reach.
        auto log = std::make_unique<engine::AccessLogWriter>(QStringLiteral("/dev/stdout"), std::numeric_limits<qint64>::max(), 0);
        if (!log->open(error)) {
            return false;
        }
        m_stdoutLog = std::move(log);
    }
    std::optional<profile::AccessLog> wanted = profile.accessLog;
    if (wanted) {
        wanted->file = QDir(profile.baseDir).absoluteFilePath(wanted->file);
    }
    if (wanted != m_fileLogSettings) {
        std::unique_ptr<engine::AccessLogWriter> log;
        if (wanted) {
            log = std::make_unique<engine::AccessLogWriter>(wanted->file, wanted->maxSize, wanted->keep);
            if (!log->open(error)) {
                return false;
            }
        }
        m_fileLog = std::move(log);
        m_fileLogSettings = wanted;
    }
    // With no log to write (`--quiet`, no access_log) the gateway's events go nowhere: not taking
    // them lets the workers skip building them.
    if (m_stdoutLog || m_fileLog) {
        connect(&m_gateway, &engine::Gateway::trafficBatch, this, &HeadlessServer::writeAccessLog, Qt::UniqueConnection);
    } else {
        disconnect(&m_gateway, &engine::Gateway::trafficBatch, this, &HeadlessServer::writeAccessLog);
    }
    return true;
}

int runServe(const QStringList &args)
{
    QString path;
    bool quiet = false;
    for (const QString &arg : args) {
        if (arg == QLatin1String("--quiet") || arg == QLatin1String("-q")) {
            quiet = true;
        } else if (!arg.startsWith(QLatin1Char('-')) && path.isEmpty()) {
            path = arg;
        } else {
            printError(QStringLiteral("serve: unexpected argument %1").arg(arg));
            return ExitInvalid;
        }
    }
    if (path.isEmpty()) {
        printError(QStringLiteral("usage: gatehouse serve PROFILE [--quiet]"));
        return ExitInvalid;
    }
    HeadlessServer server(path, quiet);
    const int failed = server.start();
    if (failed >= 0) {
        return failed;
    }
    return QCoreApplication::exec();
}

} // namespace gatehouse::app
