// Active health checks against real targets: a killed `gatehouse echo` is taken out of
// balancing within unhealthy_after intervals and comes back within healthy_after intervals of
// its restart; the check runs once per target (not once per worker); a target answering the
// check with an unexpected status is unhealthy; with every target down requests get a quick
// 503 instead of waiting on a dead target.

#include <csignal>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

constexpr int kIntervalMs = 200;

// An echo on a fixed port, so it can be restarted where the gateway expects it.
bool startEchoOn(QProcess &process, quint16 port, const QString &name)
{
    process.start(gatehouseBinary(), { QStringLiteral("echo"), QStringLiteral("127.0.0.1:%1").arg(port),
                                       QStringLiteral("--name"), name });
    if (!process.waitForStarted(5000)) {
        return false;
    }
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(200)) {
            return true;
        }
        QTest::qWait(20);
    }
    return false;
}

// A target that counts the health checks it gets and answers each with `status`.
class CountingTarget final : public QObject
{
public:
    explicit CountingTarget(int status)
        : m_status(status)
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_buffer[socket] += socket->readAll();
                    while (m_buffer[socket].contains("\r\n\r\n")) {
                        const qsizetype end = m_buffer[socket].indexOf("\r\n\r\n") + 4;
                        if (m_buffer[socket].startsWith("GET /health ")) {
                            ++checks;
                        }
                        m_buffer[socket].remove(0, end);
                        socket->write("HTTP/1.1 " + QByteArray::number(m_status) + " X\r\nContent-Length: 2\r\n\r\nok");
                    }
                });
                connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
                    m_buffer.remove(socket);
                    socket->deleteLater();
                });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    int checks = 0;

private:
    int m_status;
    QHash<QTcpSocket *, QByteArray> m_buffer; // before m_server: its sockets report to it as they go
    QTcpServer m_server;
};

} // namespace

class TestHealthChecks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void deadTargetOutAndBackWithinIntervals();
    void oneCheckerPerTarget();
    void unexpectedStatusIsUnhealthy();
    void allTargetsDownGives503Quickly();

private:
    QByteArray profile(const QList<quint16> &ports, const QByteArray &check, int retries = 0) const;
    bool serve(GatehouseProcess &gateway, const QByteArray &yaml);
    QString nameOf(quint16 port, const QByteArray &path = "/x");

    QTemporaryDir m_dir;
};

void TestHealthChecks::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QByteArray TestHealthChecks::profile(const QList<quint16> &ports, const QByteArray &check, int retries) const
{
    QByteArray targets;
    for (const quint16 port : ports) {
        targets += "      - url: http://127.0.0.1:" + QByteArray::number(port) + "\n";
    }
    return "gatehouse: 1\nname: health\nlisten:\n  - bind: 127.0.0.1:0\nupstreams:\n  - name: pool\n    targets:\n"
        + targets + "    health_check: " + check + "\nroutes:\n  - name: all\n    match: { path: / }\n    upstream: pool\n"
        + "    retries: " + QByteArray::number(retries) + "\n";
}

bool TestHealthChecks::serve(GatehouseProcess &gateway, const QByteArray &yaml)
{
    const QString path = writeFile(m_dir, QStringLiteral("health-%1.yaml").arg(QDateTime::currentMSecsSinceEpoch()), yaml);
    return gateway.startServe(path, { QStringLiteral("--quiet") });
}

QString TestHealthChecks::nameOf(quint16 port, const QByteArray &path)
{
    RawConnection connection;
    if (!connection.open(port)) {
        return QStringLiteral("<no connection>");
    }
    connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    const std::optional<HttpResponse> response = connection.readFinal();
    if (!response) {
        return QStringLiteral("<no answer>");
    }
    return response->status == 200 ? field(response->body, "name") : QString::number(response->status);
}

void TestHealthChecks::deadTargetOutAndBackWithinIntervals()
{
    GatehouseProcess a;
    QVERIFY(a.startEcho(QStringLiteral("a")));
    const quint16 portB = deadPort();
    QProcess b;
    QVERIFY(startEchoOn(b, portB, QStringLiteral("b")));

    GatehouseProcess gateway;
    QVERIFY2(serve(gateway, profile({ a.port(), portB },
                                    "{ path: /health, interval: 200ms, timeout: 100ms, healthy_after: 2, unhealthy_after: 2 }")),
             gateway.stderrText().constData());
    QSet<QString> seen;
    for (int i = 0; i < 8; ++i) {
        seen.insert(nameOf(gateway.port()));
    }
    QCOMPARE(seen, QSet<QString>({ QStringLiteral("a"), QStringLiteral("b") }));

    // Down: unhealthy_after (2) failed checks, each at most one interval apart.
    b.kill();
    b.waitForFinished(5000);
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(gateway.waitForStderr("target http://127.0.0.1:" + QByteArray::number(portB) + " is unhealthy", 5000),
             gateway.stderrText().constData());
    const qint64 outAfter = timer.elapsed();
    QVERIFY2(outAfter <= 3 * kIntervalMs + 300, qPrintable(QStringLiteral("out after %1 ms").arg(outAfter)));
    // No retries on this route: every request succeeding shows that b gets no traffic.
    for (int i = 0; i < 40; ++i) {
        QCOMPARE(nameOf(gateway.port()), QStringLiteral("a"));
    }

    // Back: healthy_after (2) passing checks after the restart.
    QVERIFY(startEchoOn(b, portB, QStringLiteral("b")));
    timer.restart();
    QVERIFY2(gateway.waitForStderr("target http://127.0.0.1:" + QByteArray::number(portB) + " is healthy again", 5000),
             gateway.stderrText().constData());
    const qint64 backAfter = timer.elapsed();
    QVERIFY2(backAfter <= 3 * kIntervalMs + 300, qPrintable(QStringLiteral("back after %1 ms").arg(backAfter)));
    seen.clear();
    for (int i = 0; i < 8; ++i) {
        seen.insert(nameOf(gateway.port()));
    }
    QCOMPARE(seen, QSet<QString>({ QStringLiteral("a"), QStringLiteral("b") }));
    qInfo("target out %lld ms after the kill, back %lld ms after the restart (interval %d ms)", outAfter, backAfter,
          kIntervalMs);
    b.kill();
    b.waitForFinished(5000);
}

void TestHealthChecks::oneCheckerPerTarget()
{
    CountingTarget target(200);
    GatehouseProcess gateway;
    QVERIFY2(serve(gateway, profile({ target.port() }, "{ path: /health, interval: 100ms, timeout: 100ms }")),
             gateway.stderrText().constData());
    QTest::qWait(200);
    const int before = target.checks;
    QTest::qWait(1000);
    const int checks = target.checks - before;
    // 10 per second from one checker; one per worker would double it.
    QVERIFY2(checks >= 6 && checks <= 13, qPrintable(QStringLiteral("%1 checks in 1 s").arg(checks)));
}

void TestHealthChecks::unexpectedStatusIsUnhealthy()
{
    CountingTarget failing(503);
    GatehouseProcess a;
    QVERIFY(a.startEcho(QStringLiteral("a")));
    GatehouseProcess gateway;
    QVERIFY2(serve(gateway, profile({ a.port(), failing.port() },
                                    "{ path: /health, interval: 100ms, timeout: 100ms, unhealthy_after: 1 }")),
             gateway.stderrText().constData());
    // qWait, not waitForStderr: the failing target lives in this process and needs its events.
    QTRY_VERIFY2_WITH_TIMEOUT(gateway.stderrText().contains("is unhealthy: 1 checks failed, last: HTTP 503"),
                              gateway.stderrText().constData(), 5000);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(nameOf(gateway.port()), QStringLiteral("a"));
    }
}

void TestHealthChecks::allTargetsDownGives503Quickly()
{
    GatehouseProcess gateway;
    QVERIFY2(serve(gateway, profile({ deadPort(), deadPort() },
                                    "{ path: /health, interval: 100ms, timeout: 100ms, unhealthy_after: 1 }", 2)),
             gateway.stderrText().constData());
    QVERIFY(gateway.waitForStderr("is unhealthy", 5000));
    QTest::qWait(300); // both checkers have spoken
    for (int i = 0; i < 5; ++i) {
        RawConnection connection;
        QVERIFY(connection.open(gateway.port()));
        QElapsedTimer timer;
        timer.start();
        connection.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
        const std::optional<HttpResponse> response = connection.readFinal();
        QVERIFY(response);
        QCOMPARE(response->status, 503);
        QCOMPARE(json(response->body).value(QStringLiteral("error")).toString(), QStringLiteral("no_healthy_target"));
        QVERIFY2(timer.elapsed() < 200, qPrintable(QStringLiteral("%1 ms").arg(timer.elapsed())));
    }
}

QTEST_MAIN(TestHealthChecks)
#include "TestHealthChecks.moc"
