// RespondStage: a `respond` route answers with its own status, headers and body.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestRespondStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void answersWithTheRoutesResponse()
    {
        StageHarness harness(baseProfile("  - name: hello\n"
                                         "    match: { path_exact: /hello }\n"
                                         "    respond: { status: 201, headers: { Content-Type: application/json }, body: '{\"hi\":1}' }\n"));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("respond", "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 201);
        QCOMPARE(harness.ctx.response.body, QByteArray("{\"hi\":1}"));
        QCOMPARE(harness.ctx.response.headers.value(0).second, QByteArray("application/json"));
        QCOMPARE(harness.runStage("respond", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
    }
};

GATEHOUSE_STAGE_TEST(TestRespondStage)
#include "TestRespondStage.moc"
