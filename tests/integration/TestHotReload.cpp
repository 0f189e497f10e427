// `gatehouse serve` and its signals (SPEC §1): SIGHUP reloads the profile (a broken one is
// reported and the running one stays), in-flight requests finish on the profile they started
// with, and SIGTERM drains in-flight requests before exiting 0.

#include <csignal>

#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

class TestHotReload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sighupAddsRoute();
    void brokenProfileKeepsRunningOne();
    void inFlightRequestSurvivesReload();
    void sigtermDrainsInFlightRequest();

private:
    QByteArray profile(const QByteArray &extraRoutes) const;
    HttpResponse get(quint16 port, const QByteArray &path);
    // SIGHUP, then waits until stderr shows the outcome: true for "reloaded", false for a failure.
    bool reload(GatehouseProcess &gateway, QByteArray *message = nullptr);

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
};

void TestHotReload::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_echo.startEcho(QStringLiteral("up")), m_echo.stderrText().constData());
}

void TestHotReload::cleanupTestCase()
{
    m_echo.terminate();
}

QByteArray TestHotReload::profile(const QByteArray &extraRoutes) const
{
    QByteArray text = R"(gatehouse: 1
name: reload
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: up
    targets: [{ url: "http://127.0.0.1:@PORT@" }]
routes:
  - name: a
    match: { path: /a }
    upstream: up
)";
    text.replace("@PORT@", QByteArray::number(m_echo.port()));
    return text + extraRoutes;
}

HttpResponse TestHotReload::get(quint16 port, const QByteArray &path)
{
    RawConnection connection;
    if (!connection.open(port)) {
        return {};
    }
    connection.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    return connection.readFinal().value_or(HttpResponse {});
}

bool TestHotReload::reload(GatehouseProcess &gateway, QByteArray *message)
{
    const qsizetype before = gateway.stderrText().size();
    gateway.signal(SIGHUP);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000) {
        gateway.process().waitForReadyRead(50);
        const QByteArray fresh = gateway.stderrText().mid(before);
        if (fresh.contains("reload failed")) {
            if (message) {
                *message = fresh;
            }
            return false;
        }
        if (fresh.contains("reloaded")) {
            if (message) {
                *message = fresh;
            }
            return true;
        }
    }
    return false;
}

void TestHotReload::sighupAddsRoute()
{
    const QString path = writeFile(m_dir, QStringLiteral("adds.yaml"), profile({}));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(path, { QStringLiteral("--quiet") }), gateway.stderrText().constData());
    QCOMPARE(get(gateway.port(), "/a").status, 200);
    QCOMPARE(get(gateway.port(), "/b/1").status, 404);

    writeFile(m_dir, QStringLiteral("adds.yaml"), profile(R"(  - name: b
    match: { path: /b }
    strip_prefix: /b
    upstream: up
)"));
    QByteArray message;
    QVERIFY2(reload(gateway, &message), message.constData());
    const HttpResponse added = get(gateway.port(), "/b/1");
    QCOMPARE(added.status, 200);
    QCOMPARE(field(added.body, "path"), QStringLiteral("/1"));
    QCOMPARE(get(gateway.port(), "/a").status, 200);
    // The listener survived the reload (same port, port 0 is not re-bound).
    QCOMPARE(gateway.process().state(), QProcess::Running);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHotReload::brokenProfileKeepsRunningOne()
{
    const QString path = writeFile(m_dir, QStringLiteral("broken.yaml"), profile({}));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(path, { QStringLiteral("--quiet") }), gateway.stderrText().constData());
    QCOMPARE(get(gateway.port(), "/a").status, 200);

    // An unknown key, and a route to an upstream that does not exist.
    writeFile(m_dir, QStringLiteral("broken.yaml"), profile(R"(  - name: b
    match: { path: /b }
    upstream: nowhere
    colour: blue
)"));
    QByteArray message;
    QVERIFY2(!reload(gateway, &message), message.constData());
    // The problems are printed as FILE:LINE:COL: message.
    QVERIFY2(message.contains(QFileInfo(path).fileName().toUtf8() + ':'), message.constData());
    QVERIFY2(QRegularExpression(QStringLiteral(":\\d+:\\d+: ")).match(QString::fromUtf8(message)).hasMatch(), message.constData());
    QVERIFY2(message.contains("colour"), message.constData());
    // Still serving the old profile.
    QCOMPARE(get(gateway.port(), "/a").status, 200);
    QCOMPARE(get(gateway.port(), "/b").status, 404);

    // Not YAML at all: same.
    writeFile(m_dir, QStringLiteral("broken.yaml"), "gatehouse: 1\nroutes: [ { name: x\n");
    QVERIFY2(!reload(gateway, &message), message.constData());
    QCOMPARE(get(gateway.port(), "/a").status, 200);

    // Fixed again: applied.
    writeFile(m_dir, QStringLiteral("broken.yaml"), profile(R"(  - name: b
    match: { path: /b }
    upstream: up
)"));
    QVERIFY2(reload(gateway, &message), message.constData());
    QCOMPARE(get(gateway.port(), "/b").status, 200);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHotReload::inFlightRequestSurvivesReload()
{
    const QString path = writeFile(m_dir, QStringLiteral("inflight.yaml"), profile(R"(  - name: slow
    match: { path: /_echo }
    upstream: up
)"));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(path, { QStringLiteral("--quiet") }), gateway.stderrText().constData());

    RawConnection slow;
    QVERIFY(slow.open(gateway.port()));
    slow.send("GET /_echo/sleep/800 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    // Give the request time to reach the upstream: nothing outside the gateway shows that.
    QThread::msleep(200);
    // The route it is on goes away.
    writeFile(m_dir, QStringLiteral("inflight.yaml"), profile({}));
    QByteArray message;
    QVERIFY2(reload(gateway, &message), message.constData());
    QCOMPARE(get(gateway.port(), "/_echo/sleep/1").status, 404);

    const std::optional<HttpResponse> response = slow.readFinal(5000);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(field(response->body, "path"), QStringLiteral("/_echo/sleep/800"));
    // The next request on the same connection sees the new profile.
    slow.send("GET /_echo/sleep/1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const std::optional<HttpResponse> next = slow.readFinal(5000);
    QVERIFY(next);
    QCOMPARE(next->status, 404);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHotReload::sigtermDrainsInFlightRequest()
{
    const QString path = writeFile(m_dir, QStringLiteral("drain.yaml"), profile(R"(  - name: slow
    match: { path: /_echo }
    upstream: up
)"));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(path, { QStringLiteral("--quiet") }), gateway.stderrText().constData());

    RawConnection idle; // an idle keep-alive connection must not hold the exit up
    QVERIFY(idle.open(gateway.port()));
    idle.send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QVERIFY(idle.readFinal());

    RawConnection slow;
    QVERIFY(slow.open(gateway.port()));
    slow.send("GET /_echo/sleep/1000 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QThread::msleep(200); // let it reach the upstream (not observable from outside)
    QElapsedTimer timer;
    timer.start();
    gateway.signal(SIGTERM);
    QVERIFY(gateway.waitForStderr("draining"));

    const std::optional<HttpResponse> response = slow.readFinal(5000);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(field(response->body, "path"), QStringLiteral("/_echo/sleep/1000"));
    // Draining: the answer tells the client this connection ends.
    QCOMPARE(response->header("connection").toLower(), QByteArray("close"));
    QVERIFY(slow.waitForClose());
    QVERIFY(idle.waitForClose());

    QVERIFY(gateway.process().waitForFinished(5000));
    QCOMPARE(gateway.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(gateway.process().exitCode(), 0);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QStringLiteral("exit after %1 ms").arg(timer.elapsed())));
}

QTEST_GUILESS_MAIN(TestHotReload)
#include "TestHotReload.moc"
