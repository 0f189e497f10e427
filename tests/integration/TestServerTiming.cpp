// Server-Timing through `gatehouse serve` (SPEC §2 server_timing): proxied answers say how long
// the upstream took and what the gateway added, the gateway's own answers carry the gateway's
// share, and `server_timing: false` leaves the header out.

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

// {"gateway": ms, "upstream": ms}; empty when the value is not Server-Timing's syntax.
QHash<QString, double> durations(const QByteArray &header)
{
    static const QRegularExpression metric(QStringLiteral("^([a-z]+);dur=([0-9]+\\.[0-9]{3})$"));
    QHash<QString, double> out;
    for (const QByteArray &part : header.split(',')) {
        const QRegularExpressionMatch match = metric.match(QString::fromLatin1(part.trimmed()));
        if (!match.hasMatch()) {
            return {};
        }
        out.insert(match.captured(1), match.captured(2).toDouble());
    }
    return out;
}

} // namespace

class TestServerTiming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void proxiedAndLocalAnswers();
    void switchedOff();

private:
    QByteArray profile(bool on) const;

    QTemporaryDir m_dir;
    GatehouseProcess m_slow;
};

void TestServerTiming::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_slow.startEcho(QStringLiteral("slow"), { QStringLiteral("--delay"), QStringLiteral("80ms") }),
             m_slow.stderrText().constData());
}

void TestServerTiming::cleanupTestCase()
{
    m_slow.terminate();
}

QByteArray TestServerTiming::profile(bool on) const
{
    QByteArray yaml = R"(gatehouse: 1
name: timing
listen: [{ bind: 127.0.0.1:0 }]
server_timing: @ON@
upstreams:
  - name: slow
    targets: [{ url: "http://127.0.0.1:@S@" }]
routes:
  - { name: slow, match: { path: /slow }, upstream: slow }
  - { name: hello, match: { path: /hello }, respond: { status: 200, body: hi } }
)";
    return yaml.replace("@ON@", on ? "true" : "false").replace("@S@", portOf(m_slow));
}

void TestServerTiming::proxiedAndLocalAnswers()
{
    QString log;
    auto gateway = startGatewayWithLog(m_dir, QStringLiteral("on"), profile(true), &log);
    QVERIFY(gateway);
    RawConnection connection;
    QVERIFY(connection.open(gateway->port()));
    const auto proxied = connection.roundTrip("GET", "/slow");
    QVERIFY(proxied);
    QCOMPARE(proxied->status, 200);
    const QHash<QString, double> timing = durations(proxied->header("server-timing"));
    QVERIFY2(timing.contains(u"gateway"_qs) && timing.contains(u"upstream"_qs), proxied->header("server-timing").constData());
    QVERIFY2(timing.value(u"upstream"_qs) >= 80.0, proxied->header("server-timing").constData()); // the echo's delay
    QVERIFY(timing.value(u"gateway"_qs) < 80.0);

    const auto local = connection.roundTrip("GET", "/hello");
    QVERIFY(local);
    const QHash<QString, double> localTiming = durations(local->header("server-timing"));
    QCOMPARE(localTiming.keys(), QList<QString> { QStringLiteral("gateway") });

    const auto missing = connection.roundTrip("GET", "/nowhere");
    QVERIFY(missing);
    QCOMPARE(missing->status, 404);
    QVERIFY(durations(missing->header("server-timing")).contains(u"gateway"_qs));
}

void TestServerTiming::switchedOff()
{
    QString log;
    auto gateway = startGatewayWithLog(m_dir, QStringLiteral("off"), profile(false), &log);
    QVERIFY(gateway);
    RawConnection connection;
    QVERIFY(connection.open(gateway->port()));
    for (const char *path : { "/slow", "/hello" }) {
        const auto response = connection.roundTrip("GET", path);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY(response->header("server-timing").isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestServerTiming)
#include "TestServerTiming.moc"
