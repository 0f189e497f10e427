#pragma once

// Small clients shared by the integration tests in this folder: a blocking raw HTTP/1.1
// connection that reads exactly one response at a time (keep-alive, pipelining, 100-continue),
// a QNetworkAccessManager round trip bounded by a timeout, and helpers for the echo's JSON,
// the access log, SIGHUP reloads and client threads.

#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QHash>
#include <QJsonValue>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include "tests/support/TestSupport.h"

namespace gatehouse::test::it {

// Size of the first complete response at the start of `buffer` (an interim 1xx counts as one),
// or -1 while it is incomplete. A body delimited by the close is never complete here.
inline qsizetype completeResponse(const QByteArray &buffer, bool headRequest, HttpResponse *out)
{
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        return -1;
    }
    HttpResponse response;
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    response.status = lines.value(0).trimmed().split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines.at(i).indexOf(':');
        if (colon > 0) {
            response.headers.append({ lines.at(i).left(colon).trimmed(), lines.at(i).mid(colon + 1).trimmed() });
        }
    }
    qsizetype pos = headEnd + 4;
    const bool bodyless = headRequest || response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodyless) {
        if (response.header("transfer-encoding").toLower() == "chunked") {
            while (true) {
                const qsizetype lineEnd = buffer.indexOf("\r\n", pos);
                if (lineEnd < 0) {
                    return -1;
                }
                bool ok = false;
                const qsizetype size = buffer.mid(pos, lineEnd - pos).split(';').first().trimmed().toLongLong(&ok, 16);
                if (!ok) {
                    return -1;
                }
                pos = lineEnd + 2;
                if (size == 0) {
                    // No trailers from the gateway: the last chunk ends with an empty line.
                    if (buffer.size() < pos + 2) {
                        return -1;
                    }
                    pos += 2;
                    break;
                }
                if (buffer.size() < pos + size + 2) {
                    return -1;
                }
                response.body += buffer.mid(pos, size);
                pos += size + 2;
            }
        } else if (!response.header("content-length").isNull()) {
            const qsizetype length = response.header("content-length").toLongLong();
            if (buffer.size() < pos + length) {
                return -1;
            }
            response.body = buffer.mid(pos, length);
            pos += length;
        } else {
            return -1;
        }
    }
    if (out) {
        *out = response;
    }
    return pos;
}

// A blocking client connection (the gateway runs in another process, so blocking is fine).
class RawConnection
{
public:
    bool open(quint16 port)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        return m_socket.waitForConnected(3000);
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(3000);
    }
    // Whether any of a response has come yet (without waiting for it).
    bool hasPendingData()
    {
        m_socket.waitForReadyRead(0);
        return !m_buffer.isEmpty() || m_socket.bytesAvailable() > 0;
    }
    // The next response, interim ones included; nullopt on timeout or close.
    std::optional<HttpResponse> read(int timeoutMs = 5000, bool headRequest = false)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (true) {
            HttpResponse response;
            const qsizetype size = completeResponse(m_buffer, headRequest, &response);
            if (size > 0) {
                m_buffer.remove(0, size);
                return response;
            }
            if (deadline.hasExpired()) {
                return std::nullopt;
            }
            if (m_socket.bytesAvailable() == 0
                && !m_socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
                if (m_socket.state() != QAbstractSocket::ConnectedState) {
                    m_buffer += m_socket.readAll();
                    HttpResponse last;
                    const qsizetype lastSize = completeResponse(m_buffer, headRequest, &last);
                    if (lastSize > 0) {
                        m_buffer.remove(0, lastSize);
                        return last;
                    }
                    return std::nullopt;
                }
                continue;
            }
            m_buffer += m_socket.readAll();
        }
    }
    // The next final response (1xx skipped).
    std::optional<HttpResponse> readFinal(int timeoutMs = 5000, bool headRequest = false)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (true) {
            std::optional<HttpResponse> response = read(int(std::max<qint64>(1, deadline.remainingTime())), headRequest);
            if (!response || response->status >= 200) {
                return response;
            }
        }
    }
    // True when the peer closes within the timeout (whatever it still sends is discarded).
    bool waitForClose(int timeoutMs = 3000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (m_socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
            if (m_socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
                m_buffer += m_socket.readAll();
            }
        }
        return m_socket.state() != QAbstractSocket::ConnectedState;
    }
    // Like open(), from a chosen local address (127.0.0.2 and up are all loopback on Linux), so
    // the gateway sees a distinct client IP.
    bool openFrom(const QHostAddress &source, quint16 port)
    {
        return m_socket.bind(source, 0) && open(port);
    }
    // One request on this connection and its final response; nullopt on timeout or close.
    // `Host` and `Content-Length` (for a non-empty body) are added.
    std::optional<HttpResponse> roundTrip(const QByteArray &method, const QByteArray &path,
                                          const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                                          const QByteArray &body = {}, int timeoutMs = 5000)
    {
        QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: localhost\r\n";
        for (const auto &[name, value] : headers) {
            request += name + ": " + value + "\r\n";
        }
        if (!body.isEmpty()) {
            request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        }
        send(request + "\r\n" + body);
        return readFinal(timeoutMs, method == "HEAD");
    }
    QTcpSocket &socket() { return m_socket; }
    QByteArray &buffer() { return m_buffer; }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

struct QnamResult
{
    int status = 0; // 0: no HTTP answer (timeout or network error)
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QList<QNetworkReply::RawHeaderPair> headers;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0) {
                return value;
            }
        }
        return {};
    }
};

// One request through QNetworkAccessManager, run in a local event loop bounded by timeoutMs.
inline QnamResult qnam(QNetworkAccessManager &manager, const QByteArray &verb, const QString &url,
                       const QList<std::pair<QByteArray, QByteArray>> &headers = {}, const QByteArray &body = {},
                       int timeoutMs = 10000)
{
    QNetworkRequest request { QUrl(url) };
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
    }
    QNetworkReply *reply = manager.sendCustomRequest(request, verb, body);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    if (!reply->isFinished()) {
        loop.exec();
    }
    QnamResult result;
    if (!reply->isFinished()) {
        reply->abort();
        result.error = QNetworkReply::TimeoutError;
    } else {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.error = reply->error();
        result.headers = reply->rawHeaderPairs();
    }
    reply->deleteLater();
    return result;
}

inline QJsonObject json(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

// The headers the echo upstream saw (lower-case names).
inline QJsonObject seenHeaders(const QByteArray &body)
{
    return json(body).value(QStringLiteral("headers")).toObject();
}

inline QString seenHeader(const QByteArray &body, const char *lowerName)
{
    return seenHeaders(body).value(QLatin1String(lowerName)).toString();
}

inline QString field(const QByteArray &body, const char *name)
{
    return json(body).value(QLatin1String(name)).toString();
}

// A loopback port with nothing listening (bound once, then released).
inline quint16 deadPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// `gatehouse serve PROFILE` with its access log (stdout) going to the file `logPath`, which
// the test reads whenever it likes: nobody has to drain a pipe while clients block on sockets.
inline bool startServeWithAccessLog(GatehouseProcess &gateway, const QString &profilePath, const QString &logPath)
{
    gateway.process().setStandardOutputFile(logPath, QIODevice::Truncate);
    return gateway.startServe(profilePath);
}

// A gateway on `profile` (written to `dir`) whose access log goes to `*logPath`; null when it
// does not start.
inline std::unique_ptr<GatehouseProcess> startGatewayWithLog(const QTemporaryDir &dir, const QString &name,
                                                              const QByteArray &profile, QString *logPath)
{
    const QString path = writeFile(dir, name + QStringLiteral(".yaml"), profile);
    *logPath = dir.filePath(name + QStringLiteral(".jsonl"));
    auto gateway = std::make_unique<GatehouseProcess>();
    if (!startServeWithAccessLog(*gateway, path, *logPath)) {
        qWarning("gateway did not start: %s", gateway->stderrText().constData());
        return nullptr;
    }
    return gateway;
}

inline QByteArray portOf(const GatehouseProcess &process)
{
    return QByteArray::number(process.port());
}

inline QString errorOf(const HttpResponse &response)
{
    return json(response.body).value(QStringLiteral("error")).toString();
}

// Access-log lines by request id.
inline QHash<QString, QJsonObject> byRequestId(const QList<QJsonObject> &lines)
{
    QHash<QString, QJsonObject> map;
    for (const QJsonObject &line : lines) {
        map.insert(line.value(QStringLiteral("request_id")).toString(), line);
    }
    return map;
}

// A request that the upstream never saw: no target in its log line, no attempt.
inline bool upstreamNotAsked(const QJsonObject &line)
{
    const QJsonValue target = line.value(QStringLiteral("target"));
    return (target.isNull() || target.isUndefined() || target.toString().isEmpty())
        && line.value(QStringLiteral("attempts")).toInt(-1) == 0;
}

// The complete JSON lines of an access log file so far.
inline QList<QJsonObject> readAccessLog(const QString &logPath)
{
    QFile file(logPath);
    QList<QJsonObject> lines;
    if (!file.open(QIODevice::ReadOnly)) {
        return lines;
    }
    const QByteArray text = file.readAll();
    const qsizetype end = text.lastIndexOf('\n');
    if (end < 0) {
        return lines;
    }
    for (const QByteArray &line : text.left(end).split('\n')) {
        if (!line.trimmed().isEmpty()) {
            lines.append(QJsonDocument::fromJson(line).object());
        }
    }
    return lines;
}

// Waits until the access log has at least `count` lines (the gateway writes it in batches).
inline QList<QJsonObject> waitForAccessLog(const QString &logPath, qsizetype count, int timeoutMs = 5000)
{
    QDeadlineTimer deadline(timeoutMs);
    QList<QJsonObject> lines = readAccessLog(logPath);
    while (lines.size() < count && !deadline.hasExpired()) {
        QThread::msleep(20);
        lines = readAccessLog(logPath);
    }
    return lines;
}

// SIGHUP, then waits until stderr shows the outcome: true for "reloaded", false for a failure
// or no answer within the timeout. `message` gets what stderr said meanwhile.
inline bool reloadBySighup(GatehouseProcess &gateway, QByteArray *message = nullptr, int timeoutMs = 5000)
{
    const qsizetype before = gateway.stderrText().size();
    gateway.signal(SIGHUP);
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        gateway.process().waitForReadyRead(50);
        const QByteArray fresh = gateway.stderrText().mid(before);
        if (message) {
            *message = fresh;
        }
        if (fresh.contains("reload failed")) {
            return false;
        }
        if (fresh.contains("reloaded")) {
            return true;
        }
    }
    return false;
}

// Runs body(0..count-1) on `count` threads at once and waits for all of them; each thread makes
// its own sockets. Every body must bound its own run time; false when they overran `timeoutMs`
// (the threads are still waited for, so nothing is destroyed while running).
inline bool runClientThreads(int count, const std::function<void(int)> &body, int timeoutMs = 30000)
{
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < count; ++i) {
        threads.emplace_back(QThread::create(body, i));
        threads.back()->start();
    }
    QDeadlineTimer deadline(timeoutMs);
    bool inTime = true;
    for (const auto &thread : threads) {
        if (!thread->wait(deadline)) {
            inTime = false;
            thread->wait();
        }
    }
    return inTime;
}

// Waits for a helper script's `port N` line on stdout (what it printed goes to `out`); the port,
// or 0 when the script did not print it within 10 s.
inline quint16 waitForPortLine(QProcess &process, QByteArray &out)
{
    static const QRegularExpression portLine(QStringLiteral("^port (\\d+)$"), QRegularExpression::MultilineOption);
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(100);
        out += process.readAllStandardOutput();
        const auto match = portLine.match(QString::fromUtf8(out));
        if (match.hasMatch()) {
            return quint16(match.captured(1).toUInt());
        }
    }
    return 0;
}

// Resident set size of a process, in bytes; -1 when unknown.
inline qint64 residentBytes(qint64 pid, const char *key = "VmRSS:")
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(key)) {
            return line.mid(qsizetype(qstrlen(key))).trimmed().split(' ').value(0).toLongLong() * 1024;
        }
    }
    return -1;
}

} // namespace gatehouse::test::it
