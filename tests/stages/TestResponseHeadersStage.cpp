// ResponseHeadersStage: what request stages asked for on every answer (CORS, RateLimit-*)
// replaces the upstream's own copies.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestResponseHeadersStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void corsReplacesTheUpstreams()
    {
        StageHarness harness(baseProfile("  - name: web\n"
                                         "    match: { path: /web }\n"
                                         "    upstream: api\n"
                                         "    cors: { origins: [\"http://localhost:3000\"] }\n"));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("forward", "GET /web HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n\r\n"),
                 StageResult::Continue);
        QVERIFY(harness.answer("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nVary: Cookie\r\nX-Kept: 1\r\n"
                               "Content-Length: 0\r\n\r\n"));
        harness.runResponseStage("response_headers");
        QCOMPARE(harness.response.header("access-control-allow-origin"), QByteArray("http://localhost:3000"));
        QCOMPARE(harness.response.header("vary"), QByteArray("Origin"));
        QCOMPARE(harness.response.header("x-kept"), QByteArray("1"));
        int origins = 0;
        for (const http::Header &header : harness.response.headers) {
            origins += header.name.compare("access-control-allow-origin", Qt::CaseInsensitive) == 0 ? 1 : 0;
        }
        QCOMPARE(origins, 1);
    }

    void rateLimitHeadersOnALocalAnswer()
    {
        StageHarness harness(baseProfile());
        QCOMPARE(harness.runStage("forward", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
        harness.ctx.responseHeaders.append({ QByteArray("RateLimit-Remaining"), QByteArray("4") });
        harness.response = http::ResponseHead { 404, {}, {} };
        harness.runResponseStage("response_headers");
        QCOMPARE(harness.response.header("ratelimit-remaining"), QByteArray("4"));
    }
};

GATEHOUSE_STAGE_TEST(TestResponseHeadersStage)
#include "TestResponseHeadersStage.moc"
