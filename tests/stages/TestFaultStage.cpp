// FaultStage: a delayed request pauses the pipeline and resumes through ctx.resume; aborts answer.

#include <QElapsedTimer>
#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestFaultStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void delayPausesThenResumes()
    {
        StageHarness harness(baseProfile("  - name: slow\n"
                                         "    match: { path: /slow }\n"
                                         "    upstream: api\n"
                                         "    fault: { delay: 150ms, delay_percent: 100 }\n"));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        int resumed = 0;
        const auto target = std::make_shared<const std::function<void()>>([&resumed] { ++resumed; });
        QVERIFY(harness.start("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        harness.ctx.resume = ResumeHandle(target);
        QVERIFY(harness.runUpTo("fault"));
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(harness.run("fault"), StageResult::Pause);
        QCOMPARE(resumed, 0);
        QTRY_COMPARE_WITH_TIMEOUT(resumed, 1, 5000);
        QVERIFY2(clock.elapsed() >= 140, qPrintable(QString::number(clock.elapsed())));
        // Run again after the wait: the request goes on, and is not delayed a second time.
        QCOMPARE(harness.run("fault"), StageResult::Continue);
        QTest::qWait(200);
        QCOMPARE(resumed, 1);
    }

    void lateResumeAfterTheConnectionIsGoneDoesNothing()
    {
        StageHarness harness(baseProfile("  - name: slow\n"
                                         "    match: { path: /slow }\n"
                                         "    upstream: api\n"
                                         "    fault: { delay: 50ms, delay_percent: 100 }\n"));
        int resumed = 0;
        auto target = std::make_shared<const std::function<void()>>([&resumed] { ++resumed; });
        QVERIFY(harness.start("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        harness.ctx.resume = ResumeHandle(target);
        QVERIFY(harness.runUpTo("fault"));
        QCOMPARE(harness.run("fault"), StageResult::Pause);
        target.reset(); // the session closed
        QTest::qWait(150);
        QCOMPARE(resumed, 0);
    }

    void abortAnswers()
    {
        StageHarness harness(baseProfile("  - name: broken\n"
                                         "    match: { path: /broken }\n"
                                         "    upstream: api\n"
                                         "    fault: { abort_status: 503, abort_percent: 100 }\n"));
        QCOMPARE(harness.runStage("fault", "GET /broken HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 503);
        QCOMPARE(harness.ctx.response.error, QByteArray("fault_injected"));
        QCOMPARE(harness.runStage("fault", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
    }
};

GATEHOUSE_STAGE_TEST(TestFaultStage)
#include "TestFaultStage.moc"
