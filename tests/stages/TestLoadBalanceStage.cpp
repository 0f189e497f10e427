// LoadBalanceStage: the target each request goes to, and the circuit breaker's refusal.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"
#include "engine/pipeline/LoadBalanceStage.h"
#include "engine/upstream/TargetChoice.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestLoadBalanceStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundRobinTakesTurns()
    {
        StageHarness harness(baseProfile());
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QList<int> picked;
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(harness.runStage("balance", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
            picked.append(harness.ctx.targetIndex);
            QCOMPARE(harness.ctx.triedTargets, QList<int> { harness.ctx.targetIndex });
        }
        QCOMPARE(picked, (QList<int> { 0, 1, 0, 1 }));
    }

    void retryPicksAnotherTarget()
    {
        StageHarness harness(baseProfile());
        QCOMPARE(harness.runStage("balance", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        const int first = harness.ctx.targetIndex;
        const CompiledUpstream &upstream = *harness.ctx.upstream;
        const int retry = chooseTarget(*upstream.balancers.at(0), upstream.targetStates, harness.ctx.triedTargets,
                                       harness.ctx.balanceKey, 0);
        QVERIFY(retry >= 0);
        QVERIFY(retry != first);
        QCOMPARE(harness.ctx.triedTargets, (QList<int> { first, retry }));
    }

    void ipHashSticks()
    {
        StageHarness harness(baseProfile({}, {}).replace("targets: [{ url: http://127.0.0.1:9001 }, { url: http://127.0.0.1:9002 }]",
                                                        "balance: ip_hash\n    targets: [{ url: http://127.0.0.1:9001 }, { url: http://127.0.0.1:9002 }]"));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("balance", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n", "10.1.2.3"), StageResult::Continue);
        const int first = harness.ctx.targetIndex;
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(harness.runStage("balance", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n", "10.1.2.3"), StageResult::Continue);
            QCOMPARE(harness.ctx.targetIndex, first);
        }
    }
};

GATEHOUSE_STAGE_TEST(TestLoadBalanceStage)
#include "TestLoadBalanceStage.moc"
