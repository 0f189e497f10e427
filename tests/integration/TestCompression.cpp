// gzip on routes with `compress: true`, through two real `gatehouse serve` processes: an inner
// one serving a large fixed text and proxying to an echo upstream, an outer one compressing.
// Bodies are checked by decompressing them (curl --compressed, and Qt's own gunzip in zlib form).

#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

// 200 KiB of text that compresses well but not trivially.
QByteArray bigText()
{
    QByteArray text;
    for (int i = 0; text.size() < 200 * 1024; ++i) {
        text += "line " + QByteArray::number(i) + ": the quick brown fox jumps over the lazy dog " + QByteArray::number(i * 7919 % 1000) + "\n";
    }
    return text;
}

} // namespace

class TestCompression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void largeBodyStreamsCompressed();
    void rawHeadersAndNegotiation_data();
    void rawHeadersAndNegotiation();
    void alreadyEncodedPassesUntouched();

private:
    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
    std::unique_ptr<GatehouseProcess> m_inner;
    std::unique_ptr<GatehouseProcess> m_outer;
    QByteArray m_text;
};

void TestCompression::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_echo.startEcho(QStringLiteral("echo")), m_echo.stderrText().constData());
    m_text = bigText();
    writeFile(m_dir, QStringLiteral("big.txt"), m_text);
    QByteArray inner = R"(gatehouse: 1
name: inner
listen: [{ bind: 127.0.0.1:0 }]
upstreams:
  - name: echo
    targets: [{ url: "http://127.0.0.1:@E@" }]
routes:
  - { name: big, match: { path_exact: /big }, respond: { status: 200, headers: { Content-Type: text/plain; charset=utf-8, ETag: '"v1"' }, body: "@BODY@" } }
  - { name: pre, match: { path: /pre }, upstream: echo, compress: true }
  - { name: echo, match: { path: / }, upstream: echo }
)";
    inner.replace("@E@", portOf(m_echo));
    inner.replace("@BODY@", m_text.replace('\n', "\\n"));
    m_text.replace("\\n", "\n");
    QString log;
    m_inner = startGatewayWithLog(m_dir, QStringLiteral("inner"), inner, &log);
    QVERIFY(m_inner);
    QByteArray outer = R"(gatehouse: 1
name: outer
listen: [{ bind: 127.0.0.1:0 }]
upstreams:
  - name: inner
    targets: [{ url: "http://127.0.0.1:@I@" }]
routes:
  - { name: plain, match: { path: /plain }, upstream: inner, strip_prefix: /plain }
  - { name: all, match: { path: / }, upstream: inner, compress: true }
)";
    outer.replace("@I@", portOf(*m_inner));
    m_outer = startGatewayWithLog(m_dir, QStringLiteral("outer"), outer, &log);
    QVERIFY(m_outer);
}

void TestCompression::cleanupTestCase()
{
    m_outer.reset();
    m_inner.reset();
    m_echo.terminate();
}

void TestCompression::largeBodyStreamsCompressed()
{
    QByteArray body;
    QByteArray err;
    const QString headers = m_dir.filePath(QStringLiteral("headers.txt"));
    QCOMPARE(curl({ QStringLiteral("--compressed"), QStringLiteral("-D"), headers, m_outer->url() + QStringLiteral("/big") }, &body, &err), 0);
    QCOMPARE(body.size(), m_text.size());
    QVERIFY(body == m_text);
    QFile file(headers);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray head = file.readAll().toLower();
    QVERIFY2(head.contains("content-encoding: gzip"), head.constData());
    QVERIFY(head.contains("vary: accept-encoding"));
    QVERIFY(head.contains("transfer-encoding: chunked"));
    QVERIFY(!head.contains("content-length"));
    QVERIFY2(head.contains("etag: w/\"v1\""), head.constData()); // weakened: the bytes changed

    // On the wire it is much smaller than the text.
    QByteArray compressed;
    QCOMPARE(curl({ QStringLiteral("-H"), QStringLiteral("Accept-Encoding: gzip"), m_outer->url() + QStringLiteral("/big") }, &compressed), 0);
    QVERIFY2(compressed.size() < m_text.size() / 4, QByteArray::number(compressed.size()).constData());
    QVERIFY(compressed.startsWith("\x1f\x8b")); // gzip magic
}

void TestCompression::rawHeadersAndNegotiation_data()
{
    QTest::addColumn<QByteArray>("acceptEncoding");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("gzipped");
    QTest::newRow("gzip") << QByteArray("gzip") << QStringLiteral("/echo") << true;
    QTest::newRow("list with q") << QByteArray("br;q=1.0, gzip;q=0.5") << QStringLiteral("/echo") << true;
    QTest::newRow("star") << QByteArray("*") << QStringLiteral("/echo") << true;
    QTest::newRow("gzip refused") << QByteArray("gzip;q=0, deflate") << QStringLiteral("/echo") << false;
    QTest::newRow("star but not gzip") << QByteArray("*, gzip;q=0") << QStringLiteral("/echo") << false;
    QTest::newRow("none") << QByteArray() << QStringLiteral("/echo") << false;
    QTest::newRow("route without compress") << QByteArray("gzip") << QStringLiteral("/plain/echo") << false;
}

void TestCompression::rawHeadersAndNegotiation()
{
    QFETCH(QByteArray, acceptEncoding);
    QFETCH(QString, path);
    QFETCH(bool, gzipped);
    QByteArray request = "GET " + path.toLatin1() + " HTTP/1.1\r\nHost: localhost\r\n";
    if (!acceptEncoding.isEmpty()) {
        request += "Accept-Encoding: " + acceptEncoding + "\r\n";
    }
    request += "Connection: close\r\n\r\n";
    const QList<HttpResponse> responses = parseResponses(rawExchange(m_outer->port(), request));
    QCOMPARE(responses.size(), 1);
    const HttpResponse &response = responses.first();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-encoding") == "gzip", gzipped);
    // The echo's JSON is compressible: the answer varies by Accept-Encoding on compress routes.
    QCOMPARE(response.header("vary").contains("Accept-Encoding"), path == u"/echo");
    if (gzipped) {
        QByteArray body;
        QCOMPARE(curl({ QStringLiteral("--compressed"), QStringLiteral("-H"), QStringLiteral("Accept-Encoding: ") + QString::fromLatin1(acceptEncoding),
                        m_outer->url() + path },
                      &body),
                 0);
        QCOMPARE(field(body, "name"), QStringLiteral("echo"));
    } else {
        QCOMPARE(field(response.body, "name"), QStringLiteral("echo"));
    }
}

void TestCompression::alreadyEncodedPassesUntouched()
{
    // The inner gateway gzips /pre itself; the outer one must not gzip it twice.
    QByteArray body;
    const QString headers = m_dir.filePath(QStringLiteral("pre-headers.txt"));
    QCOMPARE(curl({ QStringLiteral("--compressed"), QStringLiteral("-D"), headers, m_outer->url() + QStringLiteral("/pre") }, &body), 0);
    QCOMPARE(field(body, "name"), QStringLiteral("echo"));
    QFile file(headers);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().toLower().count("content-encoding: gzip"), 1);
}

QTEST_GUILESS_MAIN(TestCompression)
#include "TestCompression.moc"
