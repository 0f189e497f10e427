// TargetCheckStage: what the gateway refuses before any route is looked at (SPEC §7.1).

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestTargetCheckStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void refusals_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("error");
        QTest::newRow("plain request") << QByteArray("GET /api/x HTTP/1.1\r\nHost: localhost:8080\r\n\r\n") << 0 << QByteArray();
        QTest::newRow("CONNECT") << QByteArray("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n") << 405
                                 << QByteArray("method_not_allowed");
        QTest::newRow("encoded slash") << QByteArray("GET /api%2fadmin HTTP/1.1\r\nHost: localhost\r\n\r\n") << 400
                                       << QByteArray("bad_path");
        QTest::newRow("semicolon") << QByteArray("GET /api/admin;x HTTP/1.1\r\nHost: localhost\r\n\r\n") << 400
                                   << QByteArray("bad_path");
        QTest::newRow("foreign host") << QByteArray("GET /api HTTP/1.1\r\nHost: evil.example\r\n\r\n") << 403
                                      << QByteArray("host_not_allowed");
        QTest::newRow("absolute form, this listener")
            << QByteArray("GET http://localhost:8080/api HTTP/1.1\r\nHost: localhost:8080\r\n\r\n") << 0 << QByteArray();
        QTest::newRow("absolute form, another port")
            << QByteArray("GET http://localhost:9001/api HTTP/1.1\r\nHost: localhost:8080\r\n\r\n") << 421
            << QByteArray("misdirected_request");
        QTest::newRow("absolute form, another host")
            << QByteArray("GET http://example.com:8080/api HTTP/1.1\r\nHost: localhost:8080\r\n\r\n") << 421
            << QByteArray("misdirected_request");
    }
    void refusals()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        QFETCH(QByteArray, error);
        StageHarness harness(baseProfile());
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        const StageResult result = harness.runStage("target", head);
        if (status == 0) {
            QCOMPARE(result, StageResult::Continue);
            QCOMPARE(harness.ctx.response.status, 0);
            return;
        }
        QCOMPARE(result, StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, status);
        QCOMPARE(harness.ctx.response.error, error);
        QVERIFY(harness.ctx.response.closeConnection); // a refusal ends the connection
    }

    void intakeNormalisesBeforeAnyStage()
    {
        StageHarness harness(baseProfile());
        QVERIFY(harness.start("GET /public/../api/%61dmin//x?q=1 HTTP/1.1\r\nHost: LocalHost:8080\r\nX-Request-ID: abc-1\r\n\r\n"));
        QCOMPARE(harness.ctx.target.path, QByteArray("/api/admin/x"));
        QCOMPARE(harness.ctx.target.query, QByteArray("q=1"));
        QCOMPARE(harness.ctx.host, QByteArray("localhost"));
        QCOMPARE(harness.ctx.hostHeader, QByteArray("LocalHost:8080"));
        QCOMPARE(harness.ctx.requestId, QByteArray("abc-1"));
        QVERIFY(!harness.ctx.websocket);
        QVERIFY(harness.start("GET /api HTTP/1.1\r\nHost: localhost\r\nX-Request-ID: bad id\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
        QCOMPARE(harness.ctx.requestId.size(), 32); // a new one: the client's is not sane
        QVERIFY(harness.ctx.requestId != "bad id");
        QVERIFY(harness.ctx.websocket);
    }
};

GATEHOUSE_STAGE_TEST(TestTargetCheckStage)
#include "TestTargetCheckStage.moc"
