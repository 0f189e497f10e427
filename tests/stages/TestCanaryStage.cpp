// CanaryStage: which upstream serves a route with a canary: forced by header, by user, or by share.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

namespace {

QByteArray canaryRoute(int percent)
{
    return "  - name: shop\n"
           "    match: { path: /shop }\n"
           "    upstream: api\n"
           "    canary: { upstream: api-v2, percent: "
        + QByteArray::number(percent) + ", header: X-Canary, users: [user-001] }\n";
}

} // namespace

class TestCanaryStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void headerForcesEitherWay()
    {
        StageHarness harness(baseProfile(canaryRoute(0)));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("canary", "GET /shop HTTP/1.1\r\nHost: localhost\r\nX-Canary: 1\r\n\r\n"), StageResult::Continue);
        QCOMPARE(harness.ctx.canary, std::optional<bool>(true));
        QCOMPARE(harness.ctx.upstream->name, QStringLiteral("api-v2"));

        StageHarness all(baseProfile(canaryRoute(100)));
        QCOMPARE(all.runStage("canary", "GET /shop HTTP/1.1\r\nHost: localhost\r\nX-Canary: false\r\n\r\n"), StageResult::Continue);
        QCOMPARE(all.ctx.canary, std::optional<bool>(false));
        QCOMPARE(all.ctx.upstream->name, QStringLiteral("api"));
    }

    void listedUserAndShare()
    {
        StageHarness harness(baseProfile(canaryRoute(0)));
        QVERIFY(harness.start("GET /shop HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        QVERIFY(harness.runUpTo("canary"));
        harness.ctx.consumer = "user-001";
        QCOMPARE(harness.run("canary"), StageResult::Continue);
        QCOMPARE(harness.ctx.upstream->name, QStringLiteral("api-v2"));

        QCOMPARE(harness.runStage("canary", "GET /shop HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QCOMPARE(harness.ctx.canary, std::optional<bool>(false)); // 0%: nobody else
        StageHarness all(baseProfile(canaryRoute(100)));
        QCOMPARE(all.runStage("canary", "GET /shop HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QCOMPARE(all.ctx.canary, std::optional<bool>(true)); // 100%: everybody
    }

    void answerSaysWhichSideServed()
    {
        StageHarness harness(baseProfile(canaryRoute(100)));
        QCOMPARE(harness.runStage("canary", "GET /shop HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QVERIFY(harness.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        harness.runResponseStage("canary");
        QCOMPARE(harness.response.header("x-gatehouse-canary"), QByteArray("canary"));

        QCOMPARE(harness.runStage("canary", "GET /shop HTTP/1.1\r\nHost: localhost\r\nX-Canary: no\r\n\r\n"), StageResult::Continue);
        QVERIFY(harness.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        harness.runResponseStage("canary");
        QCOMPARE(harness.response.header("x-gatehouse-canary"), QByteArray("stable"));

        // The gateway's own answer (no upstream served) and a route without a canary: nothing.
        harness.ctx.upstreamResponse = nullptr;
        harness.response = http::ResponseHead { 503, {}, {} };
        harness.runResponseStage("canary");
        QVERIFY(harness.response.header("x-gatehouse-canary").isNull());
        QCOMPARE(harness.runStage("canary", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QVERIFY(harness.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        harness.runResponseStage("canary");
        QVERIFY(harness.response.header("x-gatehouse-canary").isNull());
    }

    void routeWithoutCanary()
    {
        StageHarness harness(baseProfile(canaryRoute(50)));
        QCOMPARE(harness.runStage("canary", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QVERIFY(!harness.ctx.canary);
        QCOMPARE(harness.ctx.upstream->name, QStringLiteral("api"));
    }
};

GATEHOUSE_STAGE_TEST(TestCanaryStage)
#include "TestCanaryStage.moc"
