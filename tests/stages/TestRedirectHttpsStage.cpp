// RedirectHttpsStage: a `redirect_https` listener answers every request with 308 to HTTPS.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestRedirectHttpsStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void plainListenerContinues()
    {
        StageHarness harness(baseProfile());
        QCOMPARE(harness.runStage("redirect_https", "GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n"), StageResult::Continue);
    }

    void redirectsToTheTlsPort()
    {
        StageHarness harness(baseProfile());
        harness.listener->redirectHttpsPort = 8443;
        QCOMPARE(harness.runStage("redirect_https", "GET /api/x?q=1 HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 308);
        QCOMPARE(harness.ctx.response.headers.value(0),
                 std::make_pair(QByteArray("Location"), QByteArray("https://localhost:8443/api/x?q=1")));

        harness.listener->redirectHttpsPort = 443;
        QCOMPARE(harness.runStage("redirect_https", "GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), StageResult::Respond);
        QCOMPARE(harness.ctx.response.headers.value(0).second, QByteArray("https://127.0.0.1/a"));
    }
};

GATEHOUSE_STAGE_TEST(TestRedirectHttpsStage)
#include "TestRedirectHttpsStage.moc"
