// RateLimitStage: limits keyed without a token run before auth, consumer limits after it.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

namespace {

const QByteArray kLimits = "rate_limits:\n"
                           "  - { name: per-ip, requests: 2, per: 1m, key: ip }\n"
                           "  - { name: per-user, requests: 1, per: 1m, key: consumer }\n";
const QByteArray kRoutes = "  - name: limited\n"
                           "    match: { path: /limited }\n"
                           "    upstream: api\n"
                           "    rate_limit: [per-ip]\n"
                           "  - name: per-user\n"
                           "    match: { path: /user }\n"
                           "    upstream: api\n"
                           "    rate_limit: [per-user]\n";
const QByteArray kRequest = "GET /limited HTTP/1.1\r\nHost: localhost\r\n\r\n";

} // namespace

class TestRateLimitStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ipLimitRefusesTheThirdRequest()
    {
        StageHarness harness(baseProfile(kRoutes, kLimits));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("rate_limit", kRequest, "10.0.0.1"), StageResult::Continue);
        QCOMPARE(headerValue(harness.ctx.responseHeaders, "RateLimit-Remaining"), QByteArray("1"));
        QCOMPARE(harness.runStage("rate_limit", kRequest, "10.0.0.1"), StageResult::Continue);
        QCOMPARE(harness.runStage("rate_limit", kRequest, "10.0.0.1"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 429);
        QCOMPARE(harness.ctx.response.error, QByteArray("rate_limited"));
        QVERIFY(harness.ctx.rateLimited);
        QVERIFY(headerValue(harness.ctx.responseHeaders, "Retry-After").toInt() > 0);
        // Another client has its own bucket.
        QCOMPARE(harness.runStage("rate_limit", kRequest, "10.0.0.2"), StageResult::Continue);
    }

    void consumerLimitWaitsForTheSecondRun()
    {
        StageHarness harness(baseProfile(kRoutes, kLimits));
        const QByteArray request = "GET /user HTTP/1.1\r\nHost: localhost\r\n\r\n";
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(harness.runStage("rate_limit", request), StageResult::Continue); // not this run's limit
        }
        harness.start(request);
        QVERIFY(harness.runUpTo("rate_limit_consumer"));
        harness.ctx.consumer = "user-1";
        QCOMPARE(harness.run("rate_limit_consumer"), StageResult::Continue);
        harness.start(request);
        QVERIFY(harness.runUpTo("rate_limit_consumer"));
        harness.ctx.consumer = "user-1";
        QCOMPARE(harness.run("rate_limit_consumer"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 429);
    }
};

GATEHOUSE_STAGE_TEST(TestRateLimitStage)
#include "TestRateLimitStage.moc"
