// CompressStage: gzip for a client that takes it, on a compressible upstream answer of a
// `compress: true` route; weak ETag, Vary, and a body filter that really gzips.

#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;

namespace {

const QByteArray kRoute = "  - name: pages\n"
                          "    match: { path: /pages }\n"
                          "    upstream: api\n"
                          "    compress: true\n";

const QByteArray kJsonAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nETag: \"v1\"\r\n\r\n";

} // namespace

class TestCompressStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void gzipsForAClientThatTakesIt()
    {
        StageHarness harness(baseProfile(kRoute));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("forward", "GET /pages/a HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: br, gzip\r\n\r\n"),
                 StageResult::Continue);
        QVERIFY(harness.answer(kJsonAnswer));
        harness.runResponseStage("compress");
        QVERIFY(harness.ctx.bodyFilter);
        QCOMPARE(harness.response.header("content-encoding"), QByteArray("gzip"));
        QCOMPARE(harness.response.header("etag"), QByteArray("W/\"v1\""));
        QCOMPARE(harness.response.header("vary"), QByteArray("Accept-Encoding"));
        QVERIFY(harness.response.header("content-length").isNull()); // taken in without it

        // The filter's output is a gzip stream of the body (magic bytes 1f 8b).
        QByteArray out;
        QVERIFY(harness.ctx.bodyFilter->process(QByteArray(5000, 'a'), out));
        QVERIFY(harness.ctx.bodyFilter->finish(out));
        QVERIFY(out.startsWith("\x1f\x8b"));
        QVERIFY(out.size() < 200);
    }

    void onlyVaryForOtherClients()
    {
        StageHarness harness(baseProfile(kRoute));
        QCOMPARE(harness.runStage("forward", "GET /pages/a HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip;q=0\r\n\r\n"),
                 StageResult::Continue);
        QVERIFY(harness.answer(kJsonAnswer));
        harness.runResponseStage("compress");
        QVERIFY(!harness.ctx.bodyFilter);
        QCOMPARE(harness.response.header("vary"), QByteArray("Accept-Encoding"));
        QCOMPARE(harness.response.header("etag"), QByteArray("\"v1\""));
        QVERIFY(harness.response.header("content-encoding").isNull());
    }

    void leavesAnswersItMustNotTouch()
    {
        StageHarness harness(baseProfile(kRoute));
        const QByteArray request = "GET /pages/a HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n";
        // Already encoded, an image, a 304: nothing changes.
        for (const QByteArray &answer : { QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\nContent-Length: 900\r\n\r\n"),
                                          QByteArray("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 9000\r\n\r\n"),
                                          QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Type: text/html\r\n\r\n") }) {
            QCOMPARE(harness.runStage("forward", request), StageResult::Continue);
            QVERIFY(harness.answer(answer));
            harness.runResponseStage("compress");
            QVERIFY2(!harness.ctx.bodyFilter, answer.constData());
            QVERIFY2(harness.response.header("content-encoding") != "gzip", answer.constData());
        }
        // The gateway's own answers are never compressed.
        QCOMPARE(harness.runStage("forward", request), StageResult::Continue);
        harness.response = http::ResponseHead { 404, {}, { { "Content-Type", "application/json" } } };
        harness.runResponseStage("compress");
        QVERIFY(!harness.ctx.bodyFilter);
        QVERIFY(harness.response.header("vary").isNull());
        // A route without `compress`.
        QCOMPARE(harness.runStage("forward", "GET /api HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n"), StageResult::Continue);
        QVERIFY(harness.answer(kJsonAnswer));
        harness.runResponseStage("compress");
        QVERIFY(!harness.ctx.bodyFilter);
        QVERIFY(harness.response.header("vary").isNull());
    }
};

GATEHOUSE_STAGE_TEST(TestCompressStage)
#include "TestCompressStage.moc"
