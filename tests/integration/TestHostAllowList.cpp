// SPEC §7.1 host allow-list through the real binary: a page on another origin that resolves to
// 127.0.0.1 (DNS rebinding, done here with curl --resolve) is refused, the developer's own names
// are served, absolute-form targets must name an allowed host and this listener's port.

#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/integration/TlsTestCertificates.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

class TestHostAllowList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void defaultHosts_data();
    void defaultHosts();
    void dnsRebindingIsRefusedForRealClients();
    void absoluteFormNamesAnAllowedHostAndThisPort_data();
    void absoluteFormNamesAnAllowedHostAndThisPort();
    void explicitListReplacesTheDefaults();
    void starAllowsAnyHost();
    void certificateNamesAreAllowedOnHttps();
    void checkReportsABadHost();

private:
    // A status for `Host: host` on a fresh connection to `port`.
    static int statusFor(quint16 port, const QByteArray &host, QByteArray *body = nullptr);

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
    GatehouseProcess m_gateway;
    quint16 m_port = 0;
};

int TestHostAllowList::statusFor(quint16 port, const QByteArray &host, QByteArray *body)
{
    RawConnection connection;
    if (!connection.open(port)) {
        return -1;
    }
    connection.send("GET /api/x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    const auto response = connection.readFinal();
    if (body && response) {
        *body = response->body;
    }
    return response ? response->status : 0;
}

void TestHostAllowList::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_echo.startEcho(QStringLiteral("up")), m_echo.stderrText().constData());
    // moc reads this file too, and takes a "//" in a raw string for a comment.
    const QByteArray profile = QByteArray(R"(gatehouse: 1
name: hosts
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: echo
    targets: [{ url: "@URL@" }]
routes:
  - { name: api, match: { path: /api }, upstream: echo }
  - { name: shop, match: { path: /shop, hosts: [api.test, "*.shop.test"] }, upstream: echo }
)").replace("@URL@", "http://127.0.0.1:" + portOf(m_echo));
    QVERIFY2(m_gateway.startServe(writeFile(m_dir, QStringLiteral("hosts.yaml"), profile), { QStringLiteral("--quiet") }),
             m_gateway.stderrText().constData());
    m_port = m_gateway.port();
}

void TestHostAllowList::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
    m_echo.terminate();
}

void TestHostAllowList::defaultHosts_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<int>("status");
    QTest::newRow("localhost") << QByteArray("localhost") << 200;
    QTest::newRow("localhost with port") << QByteArray("localhost:8080") << 200;
    QTest::newRow("LOCALHOST") << QByteArray("LOCALHOST") << 200;
    QTest::newRow("fully qualified localhost") << QByteArray("localhost.") << 200;
    QTest::newRow("sub.localhost") << QByteArray("app.localhost") << 200;
    QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1") << 200;
    QTest::newRow("ipv6 loopback") << QByteArray("[::1]:1234") << 200;
    QTest::newRow("a route's host") << QByteArray("api.test") << 200;
    QTest::newRow("a route's wildcard") << QByteArray("eu.shop.test") << 200;
    QTest::newRow("the wildcard's apex is not in it") << QByteArray("shop.test") << 403;
    QTest::newRow("rebinding name") << QByteArray("evil.example") << 403;
    QTest::newRow("localhost as a suffix") << QByteArray("evillocalhost") << 403;
    QTest::newRow("other loopback address") << QByteArray("127.0.0.2") << 403;
    QTest::newRow("private address") << QByteArray("192.168.1.10") << 403;
}

void TestHostAllowList::defaultHosts()
{
    QFETCH(QByteArray, host);
    QFETCH(int, status);
    QByteArray body;
    QCOMPARE(statusFor(m_port, host, &body), status);
    if (status == 403) {
        QCOMPARE(json(body).value(u"error").toString(), QStringLiteral("host_not_allowed"));
    } else {
        QCOMPARE(field(body, "name"), QStringLiteral("up"));
    }
}

void TestHostAllowList::dnsRebindingIsRefusedForRealClients()
{
    // What a browser sends after evil.example was re-pointed at 127.0.0.1.
    const QString port = QString::number(m_port);
    QByteArray out;
    QCOMPARE(curl({ QStringLiteral("--resolve"), QStringLiteral("evil.example:%1:127.0.0.1").arg(port),
                    QStringLiteral("-w"), QStringLiteral("\n%{http_code}"),
                    QStringLiteral("http://evil.example:%1/api/secrets").arg(port) },
                  &out),
             0);
    QVERIFY2(out.endsWith("\n403"), out.constData());
    QVERIFY(out.contains("host_not_allowed"));
    QVERIFY(!out.contains("\"name\":\"up\"")); // the upstream was not asked
    QCOMPARE(curl({ QStringLiteral("-w"), QStringLiteral("\n%{http_code}"), QStringLiteral("http://localhost:%1/api/x").arg(port) },
                  &out),
             0);
    QVERIFY2(out.endsWith("\n200"), out.constData());
}

void TestHostAllowList::absoluteFormNamesAnAllowedHostAndThisPort_data()
{
    const QByteArray port = QByteArray::number(m_port);
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("allowed host, this port") << "http://localhost:" + port + "/api/x" << 200;
    QTest::newRow("route host, this port") << "http://api.test:" + port + "/api/x" << 200;
    QTest::newRow("allowed host, other port") << QByteArray("http://localhost:1/api/x") << 421;
    QTest::newRow("allowed host, default port") << QByteArray("http://localhost/api/x") << 421;
    QTest::newRow("other host, this port") << "http://evil.example:" + port + "/api/x" << 421;
    QTest::newRow("other host") << QByteArray("http://example.com/") << 421;
}

void TestHostAllowList::absoluteFormNamesAnAllowedHostAndThisPort()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    RawConnection connection;
    QVERIFY(connection.open(m_port));
    connection.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto response = connection.readFinal();
    QVERIFY(response);
    QCOMPARE(response->status, status);
}

void TestHostAllowList::explicitListReplacesTheDefaults()
{
    const QByteArray profile = R"(gatehouse: 1
name: explicit
listen:
  - bind: 127.0.0.1:0
    allowed_hosts: [dev.test, "*.dev.test"]
routes:
  - { name: hello, match: { path: / }, respond: { status: 200, body: hi } }
)";
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(writeFile(m_dir, QStringLiteral("explicit.yaml"), profile), { QStringLiteral("--quiet") }),
             gateway.stderrText().constData());
    QCOMPARE(statusFor(gateway.port(), "dev.test"), 200);
    QCOMPARE(statusFor(gateway.port(), "a.dev.test:80"), 200);
    QCOMPARE(statusFor(gateway.port(), "localhost"), 403);
    QCOMPARE(statusFor(gateway.port(), "127.0.0.1"), 403);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHostAllowList::starAllowsAnyHost()
{
    const QByteArray profile = R"(gatehouse: 1
name: any
listen:
  - bind: 127.0.0.1:0
    allowed_hosts: ["*"]
routes:
  - { name: hello, match: { path: / }, respond: { status: 200, body: hi } }
)";
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(writeFile(m_dir, QStringLiteral("any.yaml"), profile), { QStringLiteral("--quiet") }),
             gateway.stderrText().constData());
    QCOMPARE(statusFor(gateway.port(), "evil.example"), 200);
    QCOMPARE(statusFor(gateway.port(), "localhost"), 200);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHostAllowList::certificateNamesAreAllowedOnHttps()
{
    const QString dir = m_dir.path();
    QVERIFY(makeTestCa(dir, QStringLiteral("ca"), QStringLiteral("Hosts Test CA")));
    QVERIFY(makeTestLeaf(dir, QStringLiteral("leaf"), QStringLiteral("ca"), QStringLiteral("cert.test"),
                         { QStringLiteral("DNS:cert.test"), QStringLiteral("DNS:*.wild.test") }));
    const QByteArray profile = R"(gatehouse: 1
name: tls-hosts
listen:
  - bind: 127.0.0.1:0
    tls: { cert: leaf.pem, key: leaf-key.pem }
routes:
  - { name: hello, match: { path: / }, respond: { status: 200, body: hi } }
)";
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(writeFile(m_dir, QStringLiteral("tls-hosts.yaml"), profile), { QStringLiteral("--quiet") }),
             gateway.stderrText().constData());
    const QString port = QString::number(gateway.port());
    const auto statusOver = [&](const QString &name) {
        QByteArray out;
        curl({ QStringLiteral("--cacert"), m_dir.filePath(QStringLiteral("ca.pem")), QStringLiteral("--resolve"),
               QStringLiteral("%1:%2:127.0.0.1").arg(name, port), QStringLiteral("-o"), QStringLiteral("/dev/null"),
               QStringLiteral("-w"), QStringLiteral("%{http_code}"), QStringLiteral("https://%1:%2/").arg(name, port) },
             &out);
        return out.toInt();
    };
    QCOMPARE(statusOver(QStringLiteral("cert.test")), 200);
    QCOMPARE(statusOver(QStringLiteral("a.wild.test")), 200);
    // Valid TLS for the name is not enough: the listener still answers only its hosts.
    QByteArray out;
    QCOMPARE(curl({ QStringLiteral("-k"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                    QStringLiteral("%{http_code}"), QStringLiteral("-H"), QStringLiteral("Host: evil.example"),
                    QStringLiteral("https://127.0.0.1:%1/").arg(port) },
                  &out),
             0);
    QCOMPARE(out, QByteArray("403"));
    QCOMPARE(gateway.terminate(), 0);
}

void TestHostAllowList::checkReportsABadHost()
{
    const QString path = writeFile(m_dir, QStringLiteral("bad-hosts.yaml"), R"(gatehouse: 1
name: bad
listen:
  - bind: 127.0.0.1:0
    allowed_hosts: [ok.test, "bad host"]
)");
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), path }, &out, &err), 1);
    QVERIFY2((out + err).contains("bad-hosts.yaml:5:30: invalid allowed host 'bad host'"), (out + err).constData());
}

QTEST_GUILESS_MAIN(TestHostAllowList)
#include "TestHostAllowList.moc"
