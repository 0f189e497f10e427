// CORS end to end through `gatehouse serve`: preflights answered by the gateway (before auth,
// whatever methods the route lists), wildcard origins that match what they should and nothing
// else, no CORS headers for other origins, and allow headers on the gateway's own errors too.

#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

class TestCors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void preflightForAllowedOrigin();
    void originPatterns_data();
    void originPatterns();
    void actualRequests();
    void preflightNeedsNoTokenButErrorsCarryCors();
    void routesWithoutCorsAreUntouched();

private:
    QnamResult send(const QByteArray &verb, const QString &path, const QList<std::pair<QByteArray, QByteArray>> &headers)
    {
        return qnam(m_manager, verb, m_gateway->url() + path, headers);
    }

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
    std::unique_ptr<GatehouseProcess> m_gateway;
    QString m_logPath;
    QNetworkAccessManager m_manager;
};

void TestCors::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_echo.startEcho(QStringLiteral("echo")), m_echo.stderrText().constData());
    writeFile(m_dir, QStringLiteral("secret"), "cors-test-secret-0123456789abcdef");
    QByteArray profile = R"(gatehouse: 1
name: cors
listen: [{ bind: 127.0.0.1:0 }]
upstreams:
  - name: echo
    targets: [{ url: "http://127.0.0.1:@A@" }]
routes:
  - name: api
    match: { path: /api, methods: [GET, POST] }
    upstream: echo
    cors:
      origins: ["http://localhost:*", "https://*.shop.test", "http://127.0.0.1:3000"]
      methods: [GET, POST]
      headers: [Content-Type, X-Trace]
      credentials: true
      max_age: 10m
  - name: private
    match: { path: /private }
    upstream: echo
    auth: jwt
    cors: { origins: ["*"] }
  - name: plain
    match: { path: /plain, methods: [GET] }
    upstream: echo
jwt:
  - { name: jwt, algorithms: [HS256], secret: file:secret }
)";
    profile.replace("@A@", portOf(m_echo));
    m_gateway = startGatewayWithLog(m_dir, QStringLiteral("cors"), profile, &m_logPath);
    QVERIFY(m_gateway);
}

void TestCors::cleanupTestCase()
{
    if (m_gateway) {
        m_gateway->terminate();
    }
    m_echo.terminate();
}

void TestCors::preflightForAllowedOrigin()
{
    const QnamResult result = send("OPTIONS", QStringLiteral("/api/orders"),
                                   { { "Origin", "http://localhost:5173" }, { "Access-Control-Request-Method", "POST" },
                                     { "Access-Control-Request-Headers", "content-type" } });
    QCOMPARE(result.status, 204);
    QCOMPARE(result.header("access-control-allow-origin"), QByteArray("http://localhost:5173"));
    QCOMPARE(result.header("access-control-allow-credentials"), QByteArray("true"));
    QCOMPARE(result.header("access-control-allow-methods"), QByteArray("GET, POST"));
    QCOMPARE(result.header("access-control-allow-headers"), QByteArray("Content-Type, X-Trace"));
    QCOMPARE(result.header("access-control-max-age"), QByteArray("600"));
    QVERIFY(result.header("vary").startsWith("Origin"));
    // Answered by the gateway: the upstream never saw it.
    const QJsonObject line = byRequestId(waitForAccessLog(m_logPath, 1)).value(QString::fromLatin1(result.header("x-request-id")));
    QCOMPARE(line.value(u"status").toInt(), 204);
    QVERIFY(upstreamNotAsked(line));
}

void TestCors::originPatterns_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("any localhost port") << QByteArray("http://localhost:3000") << true;
    QTest::newRow("exact") << QByteArray("http://127.0.0.1:3000") << true;
    QTest::newRow("subdomain") << QByteArray("https://app.shop.test") << true;
    QTest::newRow("deeper subdomain") << QByteArray("https://a.b.shop.test") << true;
    QTest::newRow("case-insensitive") << QByteArray("HTTPS://App.Shop.Test") << true;
    QTest::newRow("bare domain") << QByteArray("https://shop.test") << false;
    QTest::newRow("other scheme") << QByteArray("http://app.shop.test") << false;
    QTest::newRow("lookalike suffix") << QByteArray("https://evilshop.test") << false;
    QTest::newRow("path trick") << QByteArray("https://evil.test/.shop.test") << false;
    QTest::newRow("port that is not a port") << QByteArray("http://localhost:3000.evil.test") << false;
    QTest::newRow("no port") << QByteArray("http://localhost") << false;
    QTest::newRow("other port of exact") << QByteArray("http://127.0.0.1:3001") << false;
    QTest::newRow("null") << QByteArray("null") << false;
}

void TestCors::originPatterns()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    const QnamResult result = send("OPTIONS", QStringLiteral("/api"), { { "Origin", origin }, { "Access-Control-Request-Method", "GET" } });
    QCOMPARE(result.status, 204);
    QCOMPARE(result.header("access-control-allow-origin"), allowed ? origin : QByteArray());
    QCOMPARE(result.header("access-control-allow-methods").isEmpty(), !allowed);
    QVERIFY(result.header("vary").contains("Origin"));
}

void TestCors::actualRequests()
{
    QnamResult result = send("GET", QStringLiteral("/api"), { { "Origin", "https://app.shop.test" } });
    QCOMPARE(result.status, 200);
    QCOMPARE(field(result.body, "name"), QStringLiteral("echo"));
    QCOMPARE(result.header("access-control-allow-origin"), QByteArray("https://app.shop.test"));
    QVERIFY(result.header("access-control-expose-headers").contains("X-Request-ID"));
    QCOMPARE(result.header("vary"), QByteArray("Origin"));

    result = send("GET", QStringLiteral("/api"), { { "Origin", "https://evil.test" } });
    QCOMPARE(result.status, 200);
    QVERIFY(result.header("access-control-allow-origin").isEmpty());
    QCOMPARE(result.header("vary"), QByteArray("Origin"));

    // Same-origin and non-browser clients send no Origin: nothing to allow.
    result = send("GET", QStringLiteral("/api"), {});
    QCOMPARE(result.status, 200);
    QVERIFY(result.header("access-control-allow-origin").isEmpty());
}

void TestCors::preflightNeedsNoTokenButErrorsCarryCors()
{
    QnamResult result = send("OPTIONS", QStringLiteral("/private"),
                             { { "Origin", "http://anywhere.test" }, { "Access-Control-Request-Method", "DELETE" } });
    QCOMPARE(result.status, 204);
    QCOMPARE(result.header("access-control-allow-origin"), QByteArray("*"));
    // The 401 is readable by the page: it carries the allow header.
    result = send("GET", QStringLiteral("/private"), { { "Origin", "http://anywhere.test" } });
    QCOMPARE(result.status, 401);
    QCOMPARE(result.header("access-control-allow-origin"), QByteArray("*"));
}

void TestCors::routesWithoutCorsAreUntouched()
{
    const QnamResult result = send("OPTIONS", QStringLiteral("/plain"),
                                   { { "Origin", "http://localhost:3000" }, { "Access-Control-Request-Method", "GET" } });
    QCOMPARE(result.status, 405);
    QVERIFY(result.header("access-control-allow-origin").isEmpty());
}

QTEST_GUILESS_MAIN(TestCors)
#include "TestCors.moc"
