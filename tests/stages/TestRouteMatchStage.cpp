// RouteMatchStage: the route and upstream a request goes to, or 404 / 405 (SPEC §6).

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

namespace {

const QByteArray kRoutes = "  - name: users-read\n"
                           "    match: { path: /users, methods: [GET] }\n"
                           "    upstream: api-v2\n"
                           "  - name: health\n"
                           "    match: { path_exact: /health }\n"
                           "    respond: { status: 204 }\n";

} // namespace

class TestRouteMatchStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matchedRouteAndUpstream()
    {
        StageHarness harness(baseProfile(kRoutes));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("route", "GET /api/orders/7 HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QVERIFY(harness.ctx.route);
        QCOMPARE(harness.ctx.route->name, QStringLiteral("api"));
        QVERIFY(harness.ctx.upstream);
        QCOMPARE(harness.ctx.upstream->name, QStringLiteral("api"));

        QCOMPARE(harness.runStage("route", "GET /users/1 HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QCOMPARE(harness.ctx.upstream->name, QStringLiteral("api-v2"));
    }

    void respondRouteHasNoUpstream()
    {
        StageHarness harness(baseProfile(kRoutes));
        QCOMPARE(harness.runStage("route", "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QCOMPARE(harness.ctx.route->name, QStringLiteral("health"));
        QVERIFY(!harness.ctx.upstream);
    }

    void noRoute()
    {
        StageHarness harness(baseProfile(kRoutes));
        QCOMPARE(harness.runStage("route", "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 404);
        QCOMPARE(harness.ctx.response.error, QByteArray("not_found"));
        QVERIFY(!harness.ctx.route);
    }

    void methodNotAllowedNamesTheAllowedOnes()
    {
        StageHarness harness(baseProfile(kRoutes));
        QCOMPARE(harness.runStage("route", "DELETE /users/1 HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 405);
        QCOMPARE(harness.ctx.response.error, QByteArray("method_not_allowed"));
        QCOMPARE(harness.ctx.response.headers.value(0).first, QByteArray("Allow"));
        QCOMPARE(harness.ctx.response.headers.value(0).second, QByteArray("GET"));
    }
};

GATEHOUSE_STAGE_TEST(TestRouteMatchStage)
#include "TestRouteMatchStage.moc"
