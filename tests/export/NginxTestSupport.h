#pragma once

// Helpers for tst_nginx_export: free ports, a test certificate, the profile rewritten onto
// `gatehouse echo` upstreams, a real nginx on an exported config, and one request to compare.

#include <memory>
#include <vector>

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include "engine/profile/Profile.h"
#include "tests/support/TestSupport.h"

namespace gatehouse::test::nginxexport {

inline QString sourceFile(const QString &relative)
{
    return qEnvironmentVariable("GATEHOUSE_SOURCE_DIR") + QLatin1Char('/') + relative;
}

inline quint16 freePort()
{
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

inline bool makeCertificate(const QString &dir)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
        { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
            QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
            QStringLiteral("-keyout"), dir + QStringLiteral("/key.pem"), QStringLiteral("-out"),
            dir + QStringLiteral("/cert.pem"), QStringLiteral("-days"), QStringLiteral("2"),
            QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
            QStringLiteral("subjectAltName=DNS:localhost") });
    const bool done = openssl.waitForFinished(15000);
    if (!done) {
        openssl.kill();
        openssl.waitForFinished(2000);
    }
    return done && openssl.exitStatus() == QProcess::NormalExit && openssl.exitCode() == 0;
}

// One answer as the table compares it: status, and for proxied requests which upstream's echo
// answered ("<upstream>-<n>") and the path it saw.
struct Answer
{
    int status = 0;
    QString upstream;
    QString path;
    QByteArray allow;
    HttpResponse response;
};

inline Answer send(quint16 port, const QByteArray &method, const QByteArray &target,
    const QByteArray &host, const QByteArray &headers)
{
    QByteArray raw = method + ' ' + target + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n" + headers;
    if (method == "POST" || method == "PUT") {
        raw += "Content-Length: 0\r\n";
    }
    raw += "\r\n";
    Answer answer;
    answer.response = parseResponses(rawExchange(port, raw, 5000)).value(0);
    answer.status = answer.response.status;
    answer.allow = answer.response.header("allow");
    const QJsonObject echo = QJsonDocument::fromJson(answer.response.body).object();
    if (echo.contains(QLatin1String("name"))) {
        const QString name = echo.value(QLatin1String("name")).toString();
        answer.upstream = name.left(name.lastIndexOf(QLatin1Char('-')));
        answer.path = echo.value(QLatin1String("path")).toString();
    }
    return answer;
}

// A running nginx on an exported config, stopped when destroyed.
class Nginx final
{
public:
    explicit Nginx(QString dir)
        : m_dir(std::move(dir))
    { }
    ~Nginx()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(10000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }
    Nginx(const Nginx &) = delete;
    Nginx &operator=(const Nginx &) = delete;

    QStringList args(bool test) const
    {
        return { test ? QStringLiteral("-t") : QStringLiteral("-q"), QStringLiteral("-p"),
            m_dir + QLatin1Char('/'), QStringLiteral("-c"), m_dir + QStringLiteral("/nginx.conf"),
            QStringLiteral("-g"),
            (test ? QString() : QStringLiteral("daemon off; "))
                + QStringLiteral("pid %1/nginx.pid; error_log stderr;").arg(m_dir) };
    }

    // `nginx -t`: 0 when the configuration is valid; its messages in *out.
    int check(QByteArray *out)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral("nginx"), args(true));
        if (!process.waitForFinished(20000)) {
            process.kill();
            process.waitForFinished(2000);
            return -1;
        }
        *out = process.readAll();
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }

    bool start(quint16 port)
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(QStringLiteral("nginx"), args(false));
        if (!m_process.waitForStarted(5000)) {
            return false;
        }
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            if (socket.waitForConnected(200)) {
                return true;
            }
            QThread::msleep(50);
        }
        qWarning("nginx did not start: %s", m_process.readAll().constData());
        return false;
    }

private:
    QString m_dir;
    QProcess m_process;
};

// The profile as both sides run it: every listener on a free port (the HTTPS one with a fresh
// certificate), every target a `gatehouse echo` named "<upstream>-<n>", no built-in services or
// admin API, the access log in `dir`.
inline bool prepare(
    profile::Profile &p, const QString &dir, std::vector<std::unique_ptr<GatehouseProcess>> &echos)
{
    p.services.clear();
    p.admin.reset();
    if (p.accessLog) {
        p.accessLog->file = dir + QStringLiteral("/access.jsonl");
    }
    for (profile::Listener &listener : p.listen) {
        listener.bind.port = freePort();
        if (listener.tls) {
            listener.tls->cert = dir + QStringLiteral("/cert.pem");
            listener.tls->key = dir + QStringLiteral("/key.pem");
        }
    }
    for (profile::Upstream &upstream : p.upstreams) {
        for (int i = 0; i < upstream.targets.size(); ++i) {
            auto echo = std::make_unique<GatehouseProcess>();
            if (!echo->startEcho(QStringLiteral("%1-%2").arg(upstream.name).arg(i + 1))) {
                return false;
            }
            profile::Target &target = upstream.targets[i];
            target.port = echo->port();
            target.url = QStringLiteral("http://127.0.0.1:%1").arg(target.port);
            echos.push_back(std::move(echo));
        }
    }
    return makeCertificate(dir);
}

// The same profile without what the export leaves out, on ports of the gateway's choosing.
inline profile::Profile servedCopy(profile::Profile p)
{
    for (profile::Listener &listener : p.listen) {
        listener.bind.port = 0;
    }
    QStringList consumerLimits;
    for (const profile::RateLimitProfile &limit : p.rateLimits) {
        if (limit.key == QLatin1String("consumer")) {
            consumerLimits.append(limit.name);
        }
    }
    for (profile::Route &route : p.routes) {
        route.auth.clear();
        route.require.clear();
        route.canary.reset();
        route.fault.reset();
        for (const QString &name : consumerLimits) {
            route.rateLimit.removeAll(name);
        }
    }
    p.jwt.clear();
    return p;
}

inline bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

// nginx's temp files under `dir` instead of /var/lib/nginx, as the benchmark does.
inline QByteArray withTempPaths(QByteArray config, const QString &dir)
{
    QByteArray paths;
    for (const char *kind : { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }) {
        paths += "    " + QByteArray(kind) + "_temp_path " + dir.toUtf8() + '/' + kind + "_temp;\n";
    }
    if (!config.contains("access_log ")) {
        paths += "    access_log " + dir.toUtf8() + "/nginx-access.log;\n";
    }
    return config.replace("\nhttp {\n", "\nhttp {\n" + paths);
}

struct Row
{
    QByteArray method;
    QByteArray target;
    QByteArray host;
    QByteArray headers;
    int status;
    QString upstream; // empty: the gateway or nginx answered itself
    QString path;
    QByteArray allow;
    QByteArray body = {}; // checked when set (answers the route gives itself)
    QByteArray headerLine = {}; // "Name: value" the answer must carry, when set
};

} // namespace gatehouse::test::nginxexport
