// ServerTimingStage: `server_timing` (on by default) adds the gateway's and the upstream's share of a
// request's time to final answers, the gateway's own ones too.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"
#include "engine/pipeline/ServerTimingStage.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestServerTimingStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void splitsGatewayAndUpstream()
    {
        QCOMPARE(ServerTimingStage::value(15.5, 12.25), QByteArray("gateway;dur=3.250, upstream;dur=12.250"));
        QCOMPARE(ServerTimingStage::value(2.0, -1), QByteArray("gateway;dur=2.000"));
        QCOMPARE(ServerTimingStage::value(1.0, 3.0), QByteArray("gateway;dur=0.000, upstream;dur=3.000"));
    }

    void addedWhenTheProfileAsks()
    {
        StageHarness harness(baseProfile()); // on by default (SPEC §2)
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("forward", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QVERIFY(harness.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        harness.ctx.upstreamMs = 4.5;
        harness.runResponseStage("server_timing");
        QVERIFY2(harness.response.header("server-timing").endsWith(", upstream;dur=4.500"), harness.response.header("server-timing").constData());

        // A local answer: the gateway's share only. A 101: no final answer, nothing.
        harness.ctx.upstreamMs = -1;
        harness.response = http::ResponseHead { 404, {}, {} };
        harness.runResponseStage("server_timing");
        QVERIFY(harness.response.header("server-timing").startsWith("gateway;dur="));
        QVERIFY(!harness.response.header("server-timing").contains("upstream"));
        harness.response = http::ResponseHead { 101, {}, {} };
        harness.runResponseStage("server_timing");
        QVERIFY(harness.response.header("server-timing").isNull());
    }

    void absentWhenTurnedOff()
    {
        StageHarness harness(baseProfile({}, "server_timing: false\n"));
        QCOMPARE(harness.runStage("forward", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QVERIFY(harness.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        harness.runResponseStage("server_timing");
        QVERIFY(harness.response.header("server-timing").isNull());
    }
};

GATEHOUSE_STAGE_TEST(TestServerTimingStage)
#include "TestServerTimingStage.moc"
