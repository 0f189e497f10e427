// RateLimitStage: limits keyed without a token run before auth, consumer limits after it; a
// Redis limit pauses the request until a real redis-server answers (or its deadline passes).

#include <QElapsedTimer>
#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"
#include "tests/support/RedisServer.h"
#include "tests/support/TestProfiles.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;
using gatehouse::test::RedisServer;

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

// Two limits in Redis on /shared, so a request pauses twice, and one that fails closed on /closed.
QByteArray redisProfile(const QString &url)
{
    QByteArray limits = "rate_limits:\n"
                        "  - { name: two-per-ip, requests: 2, per: 1m, key: ip, store: \"@R@\" }\n"
                        "  - { name: ten-per-route, requests: 10, per: 1m, key: route, store: \"@R@\" }\n"
                        "  - { name: closed, requests: 10, per: 1m, key: ip, store: \"@R@\", fail: closed }\n";
    limits.replace("@R@", url.toLatin1());
    return baseProfile("  - { name: shared, match: { path: /shared }, upstream: api, rate_limit: [two-per-ip, ten-per-route] }\n"
                       "  - { name: closed, match: { path: /closed }, upstream: api, rate_limit: [closed] }\n",
                       limits);
}

// After the stage paused: waits for each resume and runs it again, until it stops pausing.
StageResult runAfterPauses(StageHarness &harness, const char *stage)
{
    StageResult result = StageResult::Pause;
    while (result == StageResult::Pause) {
        const int before = harness.resumes;
        if (!QTest::qWaitFor([&] { return harness.resumes > before; }, 5'000)) {
            return StageResult::Pause;
        }
        result = harness.run(stage);
    }
    return result;
}

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

    void redisLimitPausesUntilRedisAnswers()
    {
        RedisServer redis;
        QVERIFY(redis.start(gatehouse::test::closedLoopbackPort()));
        StageHarness harness(redisProfile(redis.url()));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        const QByteArray request = "GET /shared HTTP/1.1\r\nHost: localhost\r\n\r\n";
        for (int i = 1; i <= 3; ++i) {
            QVERIFY(harness.start(request, "10.0.0.1"));
            harness.countResumes();
            QVERIFY(harness.runUpTo("rate_limit"));
            // Never resumed before the pause is returned, and each limit counted once.
            QCOMPARE(harness.run("rate_limit"), StageResult::Pause);
            QCOMPARE(harness.resumes, 0);
            const StageResult result = runAfterPauses(harness, "rate_limit");
            QCOMPARE(harness.resumes, 2); // one pause per Redis limit
            QCOMPARE(result, i <= 2 ? StageResult::Continue : StageResult::Respond);
        }
        QCOMPARE(harness.ctx.response.status, 429);
        QCOMPARE(headerValue(harness.ctx.responseHeaders, "RateLimit-Remaining"), QByteArray("0"));
    }

    // Redis stopped: the request waits no longer than the client's deadline (200 ms), then the
    // limit fails closed; during the backoff that follows, the stage answers without pausing.
    void stalledRedisFailsClosedAfterTheDeadline()
    {
        RedisServer redis;
        QVERIFY(redis.start(gatehouse::test::closedLoopbackPort()));
        StageHarness harness(redisProfile(redis.url()));
        const QByteArray request = "GET /closed HTTP/1.1\r\nHost: localhost\r\n\r\n";
        QVERIFY(harness.start(request));
        harness.countResumes();
        QVERIFY(harness.runUpTo("rate_limit"));
        QCOMPARE(harness.run("rate_limit"), StageResult::Pause);
        QCOMPARE(runAfterPauses(harness, "rate_limit"), StageResult::Continue);

        redis.pause();
        QVERIFY(harness.start(request));
        harness.countResumes();
        QVERIFY(harness.runUpTo("rate_limit"));
        QElapsedTimer waited;
        waited.start();
        QCOMPARE(harness.run("rate_limit"), StageResult::Pause);
        QTRY_COMPARE_WITH_TIMEOUT(harness.resumes, 1, 5'000);
        QVERIFY2(waited.elapsed() >= 190, qPrintable(QString::number(waited.elapsed())));
        QCOMPARE(harness.run("rate_limit"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 503);
        QCOMPARE(harness.ctx.response.error, QByteArray("rate_limit_unavailable"));

        QVERIFY(harness.start(request));
        QVERIFY(harness.runUpTo("rate_limit"));
        QCOMPARE(harness.run("rate_limit"), StageResult::Respond); // backing off: no pause
        redis.resume();
    }

    // The connection closes while Redis is asked: the answer comes, writes into what the request
    // shared with the store, and resumes nobody.
    void answerAfterTheConnectionClosedIsHarmless()
    {
        RedisServer redis;
        QVERIFY(redis.start(gatehouse::test::closedLoopbackPort()));
        StageHarness harness(redisProfile(redis.url()));
        QVERIFY(harness.start("GET /closed HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        harness.countResumes();
        QVERIFY(harness.runUpTo("rate_limit"));
        QCOMPARE(harness.run("rate_limit"), StageResult::Pause);
        const std::shared_ptr<StoreAnswers> answers = harness.ctx.storeAnswers;
        harness.closeConnection();
        harness.ctx = RequestContext {};
        QTRY_VERIFY_WITH_TIMEOUT(answers->rateLimits.value(0).has_value(), 5'000);
        QCOMPARE(answers->rateLimits.value(0)->outcome, RateLimitDecision::Outcome::Allowed);
        QCOMPARE(harness.resumes, 0);
    }

    // A reload drops the store while its call is in flight: the request holds its snapshot (and
    // so the store) until it ends; ending first, then dropping the last snapshot, is safe too.
    void droppingTheStoreWhileAskingIsSafe()
    {
        RedisServer redis;
        QVERIFY(redis.start(gatehouse::test::closedLoopbackPort()));
        auto harness = std::make_unique<StageHarness>(redisProfile(redis.url()));
        QVERIFY(harness->start("GET /closed HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        harness->countResumes();
        QVERIFY(harness->runUpTo("rate_limit"));
        redis.pause(); // the answer cannot come before everything is gone
        QCOMPARE(harness->run("rate_limit"), StageResult::Pause);
        const std::shared_ptr<StoreAnswers> answers = harness->ctx.storeAnswers;
        harness.reset(); // the session, the pipeline and the last snapshot with its store
        QTest::qWait(300); // past the deadline: nothing is left to fire
        QVERIFY(!answers->rateLimits.value(0).has_value());
        redis.resume();
    }
};

GATEHOUSE_STAGE_TEST(TestRateLimitStage)
#include "TestRateLimitStage.moc"
