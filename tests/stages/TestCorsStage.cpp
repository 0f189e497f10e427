// CorsStage: a route's `cors` answers preflights itself and adds the CORS headers to answers.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

namespace {

const QByteArray kRoutes = "  - name: web\n"
                           "    match: { path: /web }\n"
                           "    upstream: api\n"
                           "    cors: { origins: [\"http://localhost:3000\"], credentials: true, max_age: 10m }\n";

} // namespace

class TestCorsStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void preflightIsAnsweredHere()
    {
        StageHarness harness(baseProfile(kRoutes));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("cors", "OPTIONS /web/x HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n"
                                          "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: x-a\r\n\r\n"),
                 StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 204);
        const auto &headers = harness.ctx.responseHeaders;
        QCOMPARE(headerValue(headers, "Access-Control-Allow-Origin"), QByteArray("http://localhost:3000"));
        QCOMPARE(headerValue(headers, "Access-Control-Allow-Credentials"), QByteArray("true"));
        QCOMPARE(headerValue(headers, "Access-Control-Allow-Headers"), QByteArray("x-a"));
        QCOMPARE(headerValue(headers, "Access-Control-Max-Age"), QByteArray("600"));
    }

    void simpleRequestGoesOnWithHeaders()
    {
        StageHarness harness(baseProfile(kRoutes));
        QCOMPARE(harness.runStage("cors", "GET /web/x HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n\r\n"),
                 StageResult::Continue);
        QCOMPARE(headerValue(harness.ctx.responseHeaders, "Access-Control-Allow-Origin"), QByteArray("http://localhost:3000"));
        QVERIFY(harness.ctx.replacedResponseHeaders.contains("access-control-allow-origin"));
    }

    void foreignOriginGetsNoAllowance()
    {
        StageHarness harness(baseProfile(kRoutes));
        QCOMPARE(harness.runStage("cors", "GET /web/x HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\n\r\n"),
                 StageResult::Continue);
        QVERIFY(headerValue(harness.ctx.responseHeaders, "Access-Control-Allow-Origin").isNull());
        QCOMPARE(headerValue(harness.ctx.responseHeaders, "Vary"), QByteArray("Origin"));
    }

    void routeWithoutCorsIsUntouched()
    {
        StageHarness harness(baseProfile(kRoutes));
        QCOMPARE(harness.runStage("cors", "GET /api HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n\r\n"),
                 StageResult::Continue);
        QVERIFY(harness.ctx.responseHeaders.isEmpty());
    }
};

GATEHOUSE_STAGE_TEST(TestCorsStage)
#include "TestCorsStage.moc"
