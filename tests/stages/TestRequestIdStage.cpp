// RequestIdStage: every answer carries the gateway's X-Request-ID, never the upstream's.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestRequestIdStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void replacesTheUpstreamsId()
    {
        StageHarness harness(baseProfile());
        QCOMPARE(harness.runStage("forward", "GET /api HTTP/1.1\r\nHost: localhost\r\nX-Request-ID: client-7\r\n\r\n"),
                 StageResult::Continue);
        QVERIFY(harness.answer("HTTP/1.1 200 OK\r\nX-Request-Id: made-up\r\nContent-Length: 0\r\n\r\n"));
        harness.runResponseStage("request_id");
        int ids = 0;
        for (const http::Header &header : harness.response.headers) {
            ids += header.name.compare("x-request-id", Qt::CaseInsensitive) == 0 ? 1 : 0;
        }
        QCOMPARE(ids, 1);
        QCOMPARE(harness.response.header("x-request-id"), QByteArray("client-7"));
    }

    void onLocalAnswersToo()
    {
        StageHarness harness(baseProfile());
        QCOMPARE(harness.runStage("forward", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        QVERIFY(!harness.ctx.requestId.isEmpty());
        harness.response = http::ResponseHead { 503, {}, {} };
        harness.runResponseStage("request_id");
        QCOMPARE(harness.response.header("x-request-id"), harness.ctx.requestId);
    }
};

GATEHOUSE_STAGE_TEST(TestRequestIdStage)
#include "TestRequestIdStage.moc"
