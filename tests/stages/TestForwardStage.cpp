// ForwardStage: the path and header lines the upstream gets (SPEC §6, §7.1).

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

class TestForwardStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pathAndHeaders()
    {
        StageHarness harness(baseProfile("  - name: stripped\n"
                                         "    match: { path: /v1 }\n"
                                         "    strip_prefix: /v1\n"
                                         "    upstream: api\n"));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("forward", "POST /v1/orders?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nContent-Length: 2\r\n"
                                             "X-Forwarded-For: 192.0.2.7\r\nX-User_ID: admin\r\nForwarded: for=1.2.3.4\r\n"
                                             "X-Original-URL: /admin\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                                             "Accept: */*\r\nX-Request-ID: req-1\r\n\r\n",
                                 "10.0.0.9"),
                 StageResult::Continue);
        QCOMPARE(harness.ctx.upstreamPath, QByteArray("/orders?x=1"));
        const QByteArray &lines = harness.ctx.upstreamHeaders;
        QVERIFY2(lines.contains("Accept: */*\r\n"), lines.constData());
        QVERIFY2(lines.contains("Content-Length: 2\r\n"), lines.constData());
        QVERIFY2(lines.contains("X-Forwarded-For: 192.0.2.7, 10.0.0.9\r\n"), lines.constData());
        QVERIFY2(lines.contains("X-Forwarded-Proto: http\r\n"), lines.constData());
        QVERIFY2(lines.contains("X-Forwarded-Host: localhost:8080\r\n"), lines.constData());
        QVERIFY2(lines.contains("X-Real-IP: 10.0.0.9\r\n"), lines.constData());
        QVERIFY2(lines.contains("X-Request-ID: req-1\r\n"), lines.constData());
        QVERIFY2(lines.contains("traceparent: 00-"), lines.constData());
        QList<QByteArray> names;
        for (const QByteArray &line : lines.split('\n')) {
            names.append(line.left(line.indexOf(':')).toLower());
        }
        for (const char *dropped : { "x-user_id", "forwarded", "x-original-url", "x-hop", "connection", "host" }) {
            QVERIFY2(!names.contains(dropped), qPrintable(QStringLiteral("%1 in:\n%2").arg(QLatin1String(dropped), QString::fromLatin1(lines))));
        }
    }
};

GATEHOUSE_STAGE_TEST(TestForwardStage)
#include "TestForwardStage.moc"
