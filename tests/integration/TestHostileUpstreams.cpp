// Answers no well-behaved upstream sends, through the real binary: a 101 that does not accept the
// client's WebSocket handshake (SPEC §7.1: WebSocket smuggling past the gateway's routes and
// auth) is a 502 and opens no tunnel; bytes an upstream sends after its answer never become the
// answer to another request.

#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/integration/RawUpstream.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

const QByteArray kKey = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455's sample key
const QByteArray kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // and the accept it gives

QByteArray upgrade(const QByteArray &path)
{
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + kKey + "\r\n\r\n";
}

} // namespace

class TestHostileUpstreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void acceptedHandshakeIsTunnelled();
    void switchWithoutAcceptingIsRefused_data();
    void switchWithoutAcceptingIsRefused();
    void bytesAfterAnAnswerAreNotTheNextAnswer();

private:
    QTemporaryDir m_dir;
    RawUpstream m_upstream;
    GatehouseProcess m_gateway;
};

void TestHostileUpstreams::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(m_upstream.start());
    // moc reads this file too, and takes a "//" in a raw string for a comment.
    const QByteArray profile = QByteArray(R"(gatehouse: 1
name: hostile-upstreams
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: raw
    targets: [{ url: "@URL@" }]
routes:
  - { name: all, match: { path: / }, upstream: raw }
)").replace("@URL@", "http://127.0.0.1:" + QByteArray::number(m_upstream.port()));
    QVERIFY2(m_gateway.startServe(writeFile(m_dir, QStringLiteral("hostile-upstreams.yaml"), profile),
                                  { QStringLiteral("--quiet") }),
             m_gateway.stderrText().constData());
}

void TestHostileUpstreams::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
}

void TestHostileUpstreams::acceptedHandshakeIsTunnelled()
{
    RawConnection connection;
    QVERIFY(connection.open(m_gateway.port()));
    connection.send(upgrade("/ws-right"));
    const auto head = connection.read();
    QVERIFY(head);
    QCOMPARE(head->status, 101);
    QCOMPARE(head->header("sec-websocket-accept"), kAccept);
    connection.send("through the tunnel");
    QDeadlineTimer deadline(3000);
    while (!connection.buffer().contains("through the tunnel") && !deadline.hasExpired()) {
        connection.socket().waitForReadyRead(100);
        connection.buffer() += connection.socket().readAll();
    }
    QCOMPARE(connection.buffer(), QByteArray("through the tunnel"));
}

void TestHostileUpstreams::switchWithoutAcceptingIsRefused_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("no Sec-WebSocket-Accept") << QByteArray("/ws-no-accept");
    QTest::newRow("accept for another key") << QByteArray("/ws-wrong-accept");
    QTest::newRow("switch to h2c") << QByteArray("/ws-h2c");
}

void TestHostileUpstreams::switchWithoutAcceptingIsRefused()
{
    QFETCH(QByteArray, path);
    RawConnection connection;
    QVERIFY(connection.open(m_gateway.port()));
    // A smuggler sends its next request right behind the upgrade, hoping for a raw tunnel.
    connection.send(upgrade(path) + "GET /ws-right/internal HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto response = connection.readFinal();
    QVERIFY(response);
    QCOMPARE(response->status, 502);
    QCOMPARE(errorOf(*response), QStringLiteral("bad_gateway"));
    QVERIFY(connection.waitForClose());
    QVERIFY2(!connection.buffer().contains("HTTP/1.1"), connection.buffer().constData());
    QCOMPARE(m_upstream.requestsFor(QStringLiteral("/ws-right/internal")), 0);
}

void TestHostileUpstreams::bytesAfterAnAnswerAreNotTheNextAnswer()
{
    // The upstream sends an unrequested "SMUGGLED" answer 20 ms after each /stray answer, on the
    // connection the gateway keeps for reuse.
    RawConnection connection;
    QVERIFY(connection.open(m_gateway.port()));
    for (int i = 0; i < 20; ++i) {
        auto response = connection.roundTrip("GET", "/stray");
        QVERIFY(response);
        QCOMPARE(response->body, QByteArray("ok"));
        QTest::qWait(40 + (i % 4) * 5);
        response = connection.roundTrip("GET", "/next");
        QVERIFY(response);
        QCOMPARE(response->body, QByteArray("ok"));
    }
}

QTEST_GUILESS_MAIN(TestHostileUpstreams)
#include "TestHostileUpstreams.moc"
