#include "services/EchoServer.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include "engine/http/HttpParser.h"

using gatehouse::services::EchoServer;
using gatehouse::engine::http::HttpParser;
using gatehouse::engine::http::MessageHead;

namespace {

const char kPattern[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true; // ASan's quarantine keeps freed memory resident: peaks mean little
#else
constexpr bool kAsan = false;
#endif

// Peak resident set of this process (VmHWM), in bytes; -1 when unknown.
qint64 peakRss()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
        }
    }
    return -1;
}

struct Response
{
    MessageHead head;
    QByteArray body;
    qint64 bodySize = 0;
    bool patternOk = true;
};

// A raw HTTP/1.1 client driven by the event loop: the server runs on this same thread, so
// blocking waitFor*() calls would starve it. Responses are read with the project's own parser.
class RawClient
{
public:
    explicit RawClient(quint16 port) { m_socket.connectToHost(QHostAddress::LocalHost, port); }

    bool waitConnected()
    {
        return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000);
    }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    QTcpSocket &socket() { return m_socket; }
    void expectNoBody() { m_parser.expectNoBody(true); }

    // Reads one complete response (an interim 1xx counts as one). With keepBody false the body
    // is only counted and checked against the /_echo/bytes pattern, never kept.
    bool read(Response &r, int timeoutMs = 20000, bool keepBody = true)
    {
        r = Response {};
        m_done = m_failed = false;
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        const auto step = [&] {
            pump(r, keepBody);
            if (!m_done && !m_failed && m_socket.state() == QAbstractSocket::UnconnectedState) {
                if (m_parser.finish() == HttpParser::Event::MessageEnd) {
                    m_done = true;
                } else {
                    m_failed = true;
                }
            }
            if (m_done || m_failed) {
                loop.quit();
            }
        };
        const auto c1 = QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, step);
        const auto c2 = QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, step);
        step();
        if (!m_done && !m_failed) {
            timer.start(timeoutMs);
            loop.exec();
        }
        QObject::disconnect(c1);
        QObject::disconnect(c2);
        return m_done && !m_failed;
    }

    // True when the server closes the connection within the timeout.
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [this] {
                m_socket.readAll();
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

private:
    void pump(Response &r, bool keepBody)
    {
        m_in += m_socket.readAll();
        while (!m_done && !m_failed) {
            qsizetype consumed = 0;
            switch (m_parser.next(m_in, consumed)) {
            case HttpParser::Event::NeedMore:
                m_in.remove(0, consumed);
                return;
            case HttpParser::Event::Head:
                r.head = m_parser.head();
                break;
            case HttpParser::Event::Body: {
                const QByteArrayView b = m_parser.body();
                if (keepBody) {
                    r.body.append(b.data(), b.size());
                } else if (r.patternOk) {
                    for (qsizetype i = 0; i < b.size(); i += 997) {
                        if (b[i] != kPattern[(r.bodySize + i) % 64]) {
                            r.patternOk = false;
                            break;
                        }
                    }
                }
                r.bodySize += b.size();
                break;
            }
            case HttpParser::Event::MessageEnd:
                m_done = true;
                break;
            case HttpParser::Event::Error:
                m_failed = true;
                break;
            }
            m_in.remove(0, consumed);
        }
    }

    QTcpSocket m_socket;
    HttpParser m_parser { HttpParser::Mode::Response };
    QByteArray m_in;
    bool m_done = false;
    bool m_failed = false;
};

QJsonObject json(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QString sha256Hex(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray b(size, Qt::Uninitialized);
    QRandomGenerator rng(seed);
    for (char &c : b) {
        c = char(rng.bounded(256));
    }
    return b;
}

} // namespace

class TestEchoServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listenFailureSetsError();
    void jsonFields();
    void repeatedHeadersJoined();
    void postBodySha256();
    void chunkedUpload();
    void largeUploadStreamed();
    void pipelining();
    void keepAliveAndHttp10();
    void expectContinue();
    void statusPath();
    void headRequest();
    void download50MiBNotBuffered_data();
    void download50MiBNotBuffered();
    void chunkedDownload();
    void closePath();
    void resetPath();
    void hangPath();
    void sleepPathAndDelay();
    void failRate();
    void malformedGets400AndClose();

private:
    std::unique_ptr<EchoServer> m_server;
    quint16 m_port = 0;
    QString base() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
};

void TestEchoServer::initTestCase()
{
    m_server = std::make_unique<EchoServer>(EchoServer::Options { QStringLiteral("echo-a"), {}, 0.0 });
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    m_port = m_server->serverPort();
    QVERIFY(m_port != 0);
    QCOMPARE(m_server->serverAddress(), QHostAddress(QHostAddress::LocalHost));
}

void TestEchoServer::listenFailureSetsError()
{
    EchoServer other(EchoServer::Options { QStringLiteral("dup"), {}, 0.0 });
    QVERIFY(!other.listen(QHostAddress::LocalHost, m_port));
    QVERIFY(!other.errorString().isEmpty());
}

void TestEchoServer::jsonFields()
{
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(base() + QStringLiteral("/some/path?x=1&y=two")));
    request.setRawHeader("X-Test", "hello \"world\"");
    QNetworkReply *reply = nam.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toString(), QStringLiteral("application/json"));
    const QByteArray body = reply->readAll();
    QCOMPARE(reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(), body.size());
    const QJsonObject o = json(body);
    QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("echo-a"));
    QCOMPARE(o.value(QStringLiteral("method")).toString(), QStringLiteral("GET"));
    QCOMPARE(o.value(QStringLiteral("path")).toString(), QStringLiteral("/some/path"));
    QCOMPARE(o.value(QStringLiteral("query")).toString(), QStringLiteral("x=1&y=two"));
    const QJsonObject headers = o.value(QStringLiteral("headers")).toObject();
    QCOMPARE(headers.value(QStringLiteral("x-test")).toString(), QStringLiteral("hello \"world\""));
    QCOMPARE(headers.value(QStringLiteral("host")).toString(), QStringLiteral("127.0.0.1:%1").arg(m_port));
    QCOMPARE(o.value(QStringLiteral("body_length")).toInteger(), 0);
    QCOMPARE(o.value(QStringLiteral("body_sha256")).toString(), sha256Hex({}));
    QVERIFY(!o.contains(QStringLiteral("error")));
    reply->deleteLater();
}

void TestEchoServer::repeatedHeadersJoined()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("GET /h HTTP/1.1\r\nHost: x\r\nX-Multi: one\r\nx-multi: two\r\nX-Ctl: tab\there\r\n\r\n");
    Response r;
    QVERIFY(c.read(r));
    const QJsonObject headers = json(r.body).value(QStringLiteral("headers")).toObject();
    QCOMPARE(headers.value(QStringLiteral("x-multi")).toString(), QStringLiteral("one, two"));
    QCOMPARE(headers.value(QStringLiteral("x-ctl")).toString(), QStringLiteral("tab\there"));
    QCOMPARE(json(r.body).value(QStringLiteral("query")).toString(), QString());
}

void TestEchoServer::postBodySha256()
{
    const QByteArray payload = randomBytes(1024 * 1024 + 17, 42);
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(base() + QStringLiteral("/upload")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/octet-stream"));
    QNetworkReply *reply = nam.post(request, payload);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(20000));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    const QJsonObject o = json(reply->readAll());
    QCOMPARE(o.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(o.value(QStringLiteral("body_length")).toInteger(), payload.size());
    QCOMPARE(o.value(QStringLiteral("body_sha256")).toString(), sha256Hex(payload));
    reply->deleteLater();
}

void TestEchoServer::chunkedUpload()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    const QByteArray payload = randomBytes(100000, 7);
    QByteArray request = "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (qsizetype at = 0; at < payload.size(); at += 30000) {
        const QByteArray piece = payload.mid(at, 30000);
        request += QByteArray::number(piece.size(), 16) + ";ext=1\r\n" + piece + "\r\n";
    }
    request += "0\r\nX-Trailer: t\r\n\r\n";
    c.send(request);
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 200);
    const QJsonObject o = json(r.body);
    QCOMPARE(o.value(QStringLiteral("method")).toString(), QStringLiteral("PUT"));
    QCOMPARE(o.value(QStringLiteral("body_length")).toInteger(), payload.size());
    QCOMPARE(o.value(QStringLiteral("body_sha256")).toString(), sha256Hex(payload));
}

void TestEchoServer::largeUploadStreamed()
{
    // 64 MiB through the parser into the hash; the server must not keep the body.
    const qint64 total = 64 * 1024 * 1024;
    const QByteArray block = randomBytes(256 * 1024, 99);
    QCryptographicHash expected(QCryptographicHash::Sha256);
    for (qint64 sent = 0; sent < total; sent += block.size()) {
        expected.addData(block);
    }

    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    const qint64 peakBefore = peakRss();
    c.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(total) + "\r\n\r\n");
    qint64 sent = 0;
    QEventLoop loop;
    const auto feed = [&] {
        while (sent < total && c.socket().bytesToWrite() < 1024 * 1024) {
            c.socket().write(block);
            sent += block.size();
        }
        if (sent >= total) {
            loop.quit();
        }
    };
    const auto conn = QObject::connect(&c.socket(), &QTcpSocket::bytesWritten, &loop, feed);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    feed();
    if (sent < total) {
        loop.exec();
    }
    QObject::disconnect(conn);
    QCOMPARE(sent, total);
    Response r;
    QVERIFY(c.read(r, 60000));
    const QJsonObject o = json(r.body);
    QCOMPARE(o.value(QStringLiteral("body_length")).toInteger(), total);
    QCOMPARE(o.value(QStringLiteral("body_sha256")).toString(), QString::fromLatin1(expected.result().toHex()));
    if (!kAsan && peakBefore > 0) {
        QVERIFY2(peakRss() - peakBefore < 32 * 1024 * 1024,
                 qPrintable(QStringLiteral("peak grew by %1 bytes").arg(peakRss() - peakBefore)));
    }
}

void TestEchoServer::pipelining()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    // Three requests in one write, including a slow one first: answers must keep the order.
    c.send("GET /_echo/sleep/100 HTTP/1.1\r\nHost: x\r\n\r\n"
           "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
           "GET /three?q=3 HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r1, r2, r3;
    QVERIFY(c.read(r1));
    QVERIFY(c.read(r2));
    QVERIFY(c.read(r3));
    QCOMPARE(json(r1.body).value(QStringLiteral("path")).toString(), QStringLiteral("/_echo/sleep/100"));
    QCOMPARE(json(r2.body).value(QStringLiteral("path")).toString(), QStringLiteral("/two"));
    QCOMPARE(json(r2.body).value(QStringLiteral("body_sha256")).toString(), sha256Hex("abc"));
    QCOMPARE(json(r3.body).value(QStringLiteral("query")).toString(), QStringLiteral("q=3"));
    QCOMPARE(json(r3.body).value(QStringLiteral("body_length")).toInteger(), 0);

    // Many small pipelined requests in one segment.
    QByteArray many;
    for (int i = 0; i < 100; ++i) {
        many += "GET /n/" + QByteArray::number(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    c.send(many);
    for (int i = 0; i < 100; ++i) {
        Response r;
        QVERIFY(c.read(r));
        QCOMPARE(json(r.body).value(QStringLiteral("path")).toString(), QStringLiteral("/n/%1").arg(i));
    }
}

void TestEchoServer::keepAliveAndHttp10()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.header("connection"), QByteArray("keep-alive"));
    QVERIFY(r.head.keepAlive);
    c.send("GET /b HTTP/1.0\r\n\r\n");
    QVERIFY(c.read(r));
    QCOMPARE(json(r.body).value(QStringLiteral("path")).toString(), QStringLiteral("/b"));
    QCOMPARE(r.head.header("connection"), QByteArray("close"));
    QVERIFY(c.waitClosed());
}

void TestEchoServer::expectContinue()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    Response interim;
    QVERIFY(c.read(interim));
    QCOMPARE(interim.head.status, 100);
    c.send("hello");
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 200);
    QCOMPARE(json(r.body).value(QStringLiteral("body_sha256")).toString(), sha256Hex("hello"));
}

void TestEchoServer::statusPath()
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(base() + QStringLiteral("/_echo/status/418"))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 418);
    QCOMPARE(json(reply->readAll()).value(QStringLiteral("path")).toString(), QStringLiteral("/_echo/status/418"));
    reply->deleteLater();

    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("GET /_echo/status/204 HTTP/1.1\r\nHost: x\r\n\r\nGET /_echo/status/503 HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /_echo/status/99 HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 204);
    QVERIFY(r.body.isEmpty());
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 503);
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 400);
}

void TestEchoServer::headRequest()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n");
    c.expectNoBody();
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 200);
    QVERIFY(r.head.contentLength > 0);
    QVERIFY(r.body.isEmpty());
    // The connection is still in sync: the next answer parses.
    c.send("GET /after-head HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(c.read(r));
    QCOMPARE(json(r.body).value(QStringLiteral("path")).toString(), QStringLiteral("/after-head"));
}

void TestEchoServer::download50MiBNotBuffered_data()
{
    QTest::addColumn<QByteArray>("kind");
    QTest::newRow("Content-Length") << QByteArray("bytes");
    // Each chunk is a fresh buffer (size line + data), so without back-pressure the whole body
    // would sit in the socket's write queue and show in the peak.
    QTest::newRow("chunked") << QByteArray("chunked");
}

void TestEchoServer::download50MiBNotBuffered()
{
    QFETCH(QByteArray, kind);
    const qint64 size = 50 * 1024 * 1024;
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    // A small client receive buffer makes the server wait for the client, which is the point.
    c.socket().setReadBufferSize(256 * 1024);
    const qint64 peakBefore = peakRss();
    c.send("GET /_echo/" + kind + "/" + QByteArray::number(size) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(c.read(r, 60000, false));
    QCOMPARE(r.head.status, 200);
    QCOMPARE(r.head.contentLength, kind == "bytes" ? size : qint64(-1));
    QCOMPARE(r.head.chunked, kind == "chunked");
    QCOMPARE(r.bodySize, size);
    QVERIFY(r.patternOk);
    if (!kAsan && peakBefore > 0) {
        QVERIFY2(peakRss() - peakBefore < 24 * 1024 * 1024,
                 qPrintable(QStringLiteral("peak grew by %1 bytes").arg(peakRss() - peakBefore)));
    }
    // Still usable afterwards.
    c.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(c.read(r));
    QCOMPARE(json(r.body).value(QStringLiteral("path")).toString(), QStringLiteral("/after"));
}

void TestEchoServer::chunkedDownload()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    const qint64 size = 3 * 64 * 1024 + 5;
    c.send("GET /_echo/chunked/" + QByteArray::number(size) + " HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /_echo/chunked/0 HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(c.read(r, 20000, false));
    QVERIFY(r.head.chunked);
    QCOMPARE(r.bodySize, size);
    QVERIFY(r.patternOk);
    QVERIFY(c.read(r));
    QVERIFY(r.head.chunked);
    QCOMPARE(r.bodySize, qint64(0));
}

void TestEchoServer::closePath()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("GET /_echo/close HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 200);
    QCOMPARE(r.head.header("Connection"), QByteArray("close"));
    QVERIFY(c.waitClosed());
}

void TestEchoServer::resetPath()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("GET /_echo/reset HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(c.waitClosed());
    QVERIFY(c.socket().readAll().isEmpty());
}

void TestEchoServer::hangPath()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("GET /_echo/hang HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(!c.read(r, 400));
    QCOMPARE(c.socket().state(), QAbstractSocket::ConnectedState);
}

void TestEchoServer::sleepPathAndDelay()
{
    {
        RawClient c(m_port);
        QVERIFY(c.waitConnected());
        QElapsedTimer timer;
        timer.start();
        c.send("GET /_echo/sleep/250 HTTP/1.1\r\nHost: x\r\n\r\n");
        Response r;
        QVERIFY(c.read(r));
        QVERIFY(timer.elapsed() >= 240);
        QCOMPARE(r.head.status, 200);
    }
    EchoServer slow(EchoServer::Options { QStringLiteral("slow"), std::chrono::milliseconds(200), 0.0 });
    QVERIFY(slow.listen(QHostAddress::LocalHost, 0));
    RawClient c(slow.serverPort());
    QVERIFY(c.waitConnected());
    QElapsedTimer timer;
    timer.start();
    c.send("GET /d HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(c.read(r));
    QVERIFY(timer.elapsed() >= 190);
    QCOMPARE(json(r.body).value(QStringLiteral("name")).toString(), QStringLiteral("slow"));
}

void TestEchoServer::failRate()
{
    EchoServer always(EchoServer::Options { QStringLiteral("flaky"), {}, 1.0 });
    QVERIFY(always.listen(QHostAddress::LocalHost, 0));
    RawClient c(always.serverPort());
    QVERIFY(c.waitConnected());
    c.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\nGET /_echo/status/201 HTTP/1.1\r\nHost: x\r\n\r\n");
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 500);
    QCOMPARE(json(r.body).value(QStringLiteral("error")).toString(), QStringLiteral("injected failure"));
    QCOMPARE(json(r.body).value(QStringLiteral("name")).toString(), QStringLiteral("flaky"));
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 201); // scripted paths are not failed at random

    EchoServer half(EchoServer::Options { QStringLiteral("half"), {}, 0.5 });
    QVERIFY(half.listen(QHostAddress::LocalHost, 0));
    RawClient h(half.serverPort());
    QVERIFY(h.waitConnected());
    QByteArray many;
    for (int i = 0; i < 400; ++i) {
        many += "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    h.send(many);
    int failures = 0;
    for (int i = 0; i < 400; ++i) {
        QVERIFY(h.read(r));
        failures += r.head.status == 500 ? 1 : 0;
    }
    QVERIFY2(failures > 120 && failures < 280, qPrintable(QString::number(failures)));
}

void TestEchoServer::malformedGets400AndClose()
{
    RawClient c(m_port);
    QVERIFY(c.waitConnected());
    c.send("GET / HTTP/1.1\r\nHost : x\r\n\r\n");
    Response r;
    QVERIFY(c.read(r));
    QCOMPARE(r.head.status, 400);
    QCOMPARE(json(r.body).value(QStringLiteral("error")).toString(), QStringLiteral("bad_request"));
    QVERIFY(c.waitClosed());

    RawClient smuggle(m_port);
    QVERIFY(smuggle.waitConnected());
    smuggle.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    QVERIFY(smuggle.read(r));
    QCOMPARE(r.head.status, 400);
    QVERIFY(smuggle.waitClosed());
}

QTEST_GUILESS_MAIN(TestEchoServer)
#include "TestEchoServer.moc"
