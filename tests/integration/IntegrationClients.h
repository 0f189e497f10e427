#pragma once

// Small clients shared by the integration tests in this folder: a blocking raw HTTP/1.1
// connection that reads exactly one response at a time (keep-alive, pipelining, 100-continue),
// a QNetworkAccessManager round trip bounded by a timeout, and helpers for the echo's JSON.

#include <optional>

#include <QByteArray>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTcpServer>
#include <QTcpSocket>
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
