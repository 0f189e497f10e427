// The route tester's engine side: for a method, URL and headers, the route that would serve the
// request, why each other route would not, and the path the upstream would see. Nothing is sent.

#include <QTest>

#include "engine/config/GatewayConfig.h"
#include "engine/pipeline/RouteExplainer.h"
#include "engine/profile/ProfileReader.h"

using namespace gatehouse;
using namespace gatehouse::engine;

namespace {

const QByteArray kProfile = R"(gatehouse: 1
name: explain
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: users
    targets: [{ url: http://127.0.0.1:9 }]
  - name: admin
    targets: [{ url: http://127.0.0.1:9 }]
routes:
  - name: users
    match: { path: /api/users, methods: [GET, PUT] }
    strip_prefix: /api
    upstream: users
  - name: admin-users
    match: { path: /api/users, hosts: [admin.shop.test], headers: { X-Env: dev } }
    upstream: admin
  - name: api
    match: { path: /api }
    upstream: users
  - name: health
    match: { path_exact: /health }
    respond: { status: 204 }
  - name: switched-off
    match: { path_exact: /off }
    respond: { status: 200 }
    enabled: false
)";

const RouteVerdict *verdictFor(const RouteExplanation &explanation, const QString &route)
{
    for (const RouteVerdict &verdict : explanation.routes) {
        if (verdict.route == route) {
            return &verdict;
        }
    }
    return nullptr;
}

http::Header header(const char *name, const char *value)
{
    return { QByteArray(name), QByteArray(value) };
}

} // namespace

class TestRouteExplainer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void chosenRouteAndUpstreamPath();
    void otherRoutesSayWhy();
    void moreConditionsWin();
    void noRouteIs404Or405();
    void respondRoute();
    void pathIsNormalisedLikeTheProxy();
    void disabledRoutesAreNotServed();
    void badUrl();

private:
    std::shared_ptr<const GatewayConfig> m_config;
};

void TestRouteExplainer::initTestCase()
{
    const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("<test>"), QString());
    QVERIFY(read.ok());
    m_config = GatewayConfig::compile(*read.profile, 1).config;
    QVERIFY(m_config);
}

void TestRouteExplainer::chosenRouteAndUpstreamPath()
{
    const RouteExplanation e = explainRoute(*m_config, "get", QStringLiteral("http://localhost:8080/api/users/42?full=1"), {});
    QVERIFY(e.error.isEmpty());
    QCOMPARE(e.chosen, QStringLiteral("users"));
    QCOMPARE(e.upstream, QStringLiteral("users"));
    QCOMPARE(e.upstreamPath, QByteArray("/users/42?full=1")); // strip_prefix /api
    QCOMPARE(e.status, 0);
    const RouteVerdict *users = verdictFor(e, QStringLiteral("users"));
    QVERIFY(users && users->chosen && users->matches);
    QVERIFY(users->reasons.contains(QStringLiteral("method GET")));
}

void TestRouteExplainer::otherRoutesSayWhy()
{
    const RouteExplanation e = explainRoute(*m_config, "GET", QStringLiteral("http://localhost/api/users/42"), {});
    const RouteVerdict *admin = verdictFor(e, QStringLiteral("admin-users"));
    QVERIFY(admin && !admin->matches && !admin->chosen);
    QCOMPARE(admin->reasons, (QStringList { QStringLiteral("host localhost is not admin.shop.test"),
                                            QStringLiteral("header x-env is missing (needs 'dev')") }));
    const RouteVerdict *api = verdictFor(e, QStringLiteral("api"));
    QVERIFY(api && api->matches && !api->chosen);
    QVERIFY2(api->reasons.first().contains(QStringLiteral("but users comes first")), qPrintable(api->reasons.join(u'|')));
    const RouteVerdict *health = verdictFor(e, QStringLiteral("health"));
    QCOMPARE(health->reasons, QStringList { QStringLiteral("path /api/users/42 does not match path_exact /health") });

    const RouteExplanation post = explainRoute(*m_config, "POST", QStringLiteral("/api/users"), { header("Host", "localhost:8080") });
    QCOMPARE(post.chosen, QStringLiteral("api"));
    QCOMPARE(verdictFor(post, QStringLiteral("users"))->reasons, QStringList { QStringLiteral("method POST is not GET, PUT") });
}

void TestRouteExplainer::moreConditionsWin()
{
    const RouteExplanation e = explainRoute(*m_config, "DELETE", QStringLiteral("/api/users/1"),
                                            { header("Host", "Admin.Shop.Test:8080"), header("X-Env", "dev") });
    QCOMPARE(e.chosen, QStringLiteral("admin-users"));
    QCOMPARE(e.upstream, QStringLiteral("admin"));
    QCOMPARE(e.upstreamPath, QByteArray("/api/users/1"));
    const RouteExplanation wrongValue = explainRoute(*m_config, "DELETE", QStringLiteral("http://admin.shop.test/api/users/1"),
                                                     { header("X-Env", "prod") });
    QCOMPARE(wrongValue.chosen, QStringLiteral("api"));
    QCOMPARE(verdictFor(wrongValue, QStringLiteral("admin-users"))->reasons,
             QStringList { QStringLiteral("header x-env is 'prod', not 'dev'") });
}

void TestRouteExplainer::noRouteIs404Or405()
{
    const RouteExplanation none = explainRoute(*m_config, "GET", QStringLiteral("http://localhost/nothing"), {});
    QVERIFY(none.chosen.isEmpty());
    QCOMPARE(none.status, 404);
    QVERIFY(none.upstreamPath.isEmpty());
    for (const RouteVerdict &verdict : none.routes) {
        QVERIFY(!verdict.matches);
    }
}

void TestRouteExplainer::respondRoute()
{
    const RouteExplanation e = explainRoute(*m_config, "GET", QStringLiteral("http://localhost/health"), {});
    QCOMPARE(e.chosen, QStringLiteral("health"));
    QVERIFY(e.upstream.isEmpty());
    QCOMPARE(e.respondStatus, 204);
}

void TestRouteExplainer::pathIsNormalisedLikeTheProxy()
{
    // "/api/x/../users" is routed as "/api/users", as the proxy itself does.
    const RouteExplanation e = explainRoute(*m_config, "GET", QStringLiteral("http://localhost/api/x/../users"), {});
    QCOMPARE(e.chosen, QStringLiteral("users"));
    QCOMPARE(e.upstreamPath, QByteArray("/users"));
    // And so are escapes and slash runs (SPEC §7.1).
    const RouteExplanation encoded = explainRoute(*m_config, "GET", QStringLiteral("/api//%75sers/42"), {});
    QCOMPARE(encoded.chosen, QStringLiteral("users"));
    QCOMPARE(encoded.upstreamPath, QByteArray("/users/42"));
}

void TestRouteExplainer::disabledRoutesAreNotServed()
{
    const RouteExplanation e = explainRoute(*m_config, "GET", QStringLiteral("http://localhost/off"), {});
    QVERIFY(e.chosen.isEmpty());
    QCOMPARE(e.status, 404);
    QVERIFY(!verdictFor(e, QStringLiteral("switched-off"))); // not in the running snapshot at all
}

void TestRouteExplainer::badUrl()
{
    QVERIFY(!explainRoute(*m_config, "GET", QStringLiteral("ftp://x/y"), {}).error.isEmpty());
    QVERIFY(!explainRoute(*m_config, "GET", QStringLiteral("not a url"), {}).error.isEmpty());
    QVERIFY(explainRoute(*m_config, "GET", QStringLiteral("not a url"), {}).routes.isEmpty());
    // What the gateway answers 400 bad_path, the tester says so.
    const RouteExplanation semicolon = explainRoute(*m_config, "GET", QStringLiteral("/api/users;jsessionid=1"), {});
    QVERIFY2(semicolon.error.contains(u"400 bad_path"), qPrintable(semicolon.error));
    QVERIFY(semicolon.routes.isEmpty());
}

QTEST_GUILESS_MAIN(TestRouteExplainer)
#include "TestRouteExplainer.moc"
