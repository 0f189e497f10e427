#include <QTest>

#include "engine/config/GatewayConfig.h"
#include "engine/pipeline/Router.h"
#include "engine/profile/ProfileReader.h"

using namespace gatehouse;
using namespace gatehouse::engine;

namespace {

// Every route proxies to one upstream; the tests look only at which route wins.
const QByteArray kProfile = R"(gatehouse: 1
name: routing
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: u
    targets:
      - url: http://127.0.0.1:9
routes:
  - name: regex-orders
    match: { path_regex: "^/(api/)?v[0-9]+/orders" }
    upstream: u
  - name: api
    match: { path: /api }
    upstream: u
  - name: api-v1-users
    match: { path: /api/v1/users }
    upstream: u
  - name: api-v1-users-admin-host
    match: { path: /api/v1/users, hosts: [admin.shop.test] }
    upstream: u
  - name: api-v1-users-get-dev
    match: { path: /api/v1/users, methods: [GET], headers: { X-Env: dev } }
    upstream: u
  - name: health-exact
    match: { path_exact: /api/health }
    upstream: u
  - name: wildcard-host
    match: { path: /shop, hosts: ["*.shop.test"] }
    upstream: u
  - name: writes
    match: { path: /items, methods: [POST, PUT] }
    upstream: u
  - name: reads
    match: { path: /items, methods: [GET] }
    upstream: u
  - name: first-of-equals
    match: { path: /same, methods: [GET] }
    upstream: u
  - name: second-of-equals
    match: { path: /same, methods: [POST] }
    upstream: u
  - name: regex-second
    match: { path_regex: "^/v[0-9]+/orders/special" }
    upstream: u
  - name: root-slash
    match: { path: /static/ }
    upstream: u
)";

std::shared_ptr<const GatewayConfig> compileProfile()
{
    const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("<test>"), QString());
    if (!read.ok()) {
        for (const auto &problem : read.problems) {
            qWarning() << problem.toString();
        }
        return nullptr;
    }
    return GatewayConfig::compile(*read.profile, 1).config;
}

} // namespace

class TestRouter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void precedence_data();
    void precedence();
    void methodNotAllowedListsAllow();
    void segmentAwarePrefix_data();
    void segmentAwarePrefix();

private:
    std::shared_ptr<const GatewayConfig> m_config;
};

void TestRouter::initTestCase()
{
    m_config = compileProfile();
    QVERIFY(m_config);
}

void TestRouter::precedence_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("envHeader");
    QTest::addColumn<QString>("route");

    QTest::newRow("exact beats prefix") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/api/health") << QByteArray() << QStringLiteral("health-exact");
    QTest::newRow("exact only exact") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/api/health/x") << QByteArray() << QStringLiteral("api");
    QTest::newRow("longest prefix") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/api/v1/users/42") << QByteArray() << QStringLiteral("api-v1-users");
    QTest::newRow("prefix beats regex") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/api/v2/orders") << QByteArray() << QStringLiteral("api");
    QTest::newRow("more kinds win (2 kinds)") << QByteArray("GET") << QByteArray("admin.shop.test") << QByteArray("/api/v1/users") << QByteArray("dev") << QStringLiteral("api-v1-users-get-dev");
    QTest::newRow("host condition") << QByteArray("GET") << QByteArray("admin.shop.test") << QByteArray("/api/v1/users") << QByteArray() << QStringLiteral("api-v1-users-admin-host");
    QTest::newRow("conditions unmet fall back") << QByteArray("POST") << QByteArray("localhost") << QByteArray("/api/v1/users") << QByteArray("dev") << QStringLiteral("api-v1-users");
    QTest::newRow("wildcard host one level") << QByteArray("GET") << QByteArray("a.shop.test") << QByteArray("/shop") << QByteArray() << QStringLiteral("wildcard-host");
    QTest::newRow("wildcard host two levels") << QByteArray("GET") << QByteArray("a.b.shop.test") << QByteArray("/shop/x") << QByteArray() << QStringLiteral("wildcard-host");
    QTest::newRow("wildcard not apex") << QByteArray("GET") << QByteArray("shop.test") << QByteArray("/shop") << QByteArray() << QString();
    QTest::newRow("method picks route") << QByteArray("PUT") << QByteArray("localhost") << QByteArray("/items/1") << QByteArray() << QStringLiteral("writes");
    QTest::newRow("method picks other") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/items") << QByteArray() << QStringLiteral("reads");
    QTest::newRow("file order among equals") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/same") << QByteArray() << QStringLiteral("first-of-equals");
    QTest::newRow("second of equals by method") << QByteArray("POST") << QByteArray("localhost") << QByteArray("/same") << QByteArray() << QStringLiteral("second-of-equals");
    QTest::newRow("regex in file order") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/v2/orders/special") << QByteArray() << QStringLiteral("regex-orders");
    QTest::newRow("regex no match") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/v1/x") << QByteArray() << QString();
    QTest::newRow("trailing-slash prefix") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/static") << QByteArray() << QStringLiteral("root-slash");
    QTest::newRow("no route") << QByteArray("GET") << QByteArray("localhost") << QByteArray("/nothing") << QByteArray() << QString();
}

void TestRouter::precedence()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, envHeader);
    QFETCH(QString, route);
    QList<http::Header> headers;
    if (!envHeader.isEmpty()) {
        headers.append({ "x-env", envHeader });
    }
    const RouteDecision decision = matchRoute(*m_config, method, host, path, headers);
    QCOMPARE(decision.route ? decision.route->name : QString(), route);
}

void TestRouter::methodNotAllowedListsAllow()
{
    const RouteDecision decision = matchRoute(*m_config, "DELETE", "localhost", "/items/3", {});
    QVERIFY(!decision.route);
    QCOMPARE(decision.allowedMethods, (QList<QByteArray> { "POST", "PUT", "GET" }));
}

void TestRouter::segmentAwarePrefix_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<bool>("matches");
    QTest::newRow("itself") << QByteArray("/api/v1/users") << true;
    QTest::newRow("child") << QByteArray("/api/v1/users/42") << true;
    QTest::newRow("trailing slash") << QByteArray("/api/v1/users/") << true;
    QTest::newRow("longer segment") << QByteArray("/api/v1/usersX") << false;
    QTest::newRow("parent") << QByteArray("/api/v1") << false;
}

void TestRouter::segmentAwarePrefix()
{
    QFETCH(QByteArray, path);
    QFETCH(bool, matches);
    const auto it = std::find_if(m_config->routes.begin(), m_config->routes.end(),
                                 [](const CompiledRoute &r) { return r.name == QLatin1String("api-v1-users"); });
    QVERIFY(it != m_config->routes.end());
    QCOMPARE(pathMatches(*it, path), matches);
}

QTEST_GUILESS_MAIN(TestRouter)
#include "TestRouter.moc"
