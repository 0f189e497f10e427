// Canary releases and fault injection end to end (SPEC §2): 1,000 distinct client addresses
// split by the canary percent and always to the same side, the canary header forcing either
// side, and aborted and delayed requests. The gateway's access log (stdout) goes to a file that
// the tests read to see canary flags and whether the upstream was asked.

#include <QElapsedTimer>
#include <QHostAddress>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

class TestCanaryAndFault : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void canaryByClientAddressAndHeader();
    void faultInjection();

private:
    std::unique_ptr<GatehouseProcess> startGateway(const QString &name, const QByteArray &profile, QString *logPath)
    {
        return startGatewayWithLog(m_dir, name, profile, logPath);
    }

    QTemporaryDir m_dir;
    GatehouseProcess m_a;
    GatehouseProcess m_v2;
};

void TestCanaryAndFault::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_a.startEcho(QStringLiteral("a")), m_a.stderrText().constData());
    QVERIFY2(m_v2.startEcho(QStringLiteral("v2")), m_v2.stderrText().constData());
}

void TestCanaryAndFault::cleanupTestCase()
{
    m_a.terminate();
    m_v2.terminate();
}

void TestCanaryAndFault::canaryByClientAddressAndHeader()
{
    QByteArray profile = R"(gatehouse: 1
name: canary
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: stable
    targets: [{ url: "http://127.0.0.1:@A@" }]
  - name: v2
    targets: [{ url: "http://127.0.0.1:@V2@" }]
routes:
  - name: shop
    match: { path: /shop }
    upstream: stable
    canary: { upstream: v2, percent: 20, header: X-Canary }
)";
    profile.replace("@A@", portOf(m_a)).replace("@V2@", portOf(m_v2));
    QString logPath;
    const auto gateway = startGateway(QStringLiteral("canary"), profile, &logPath);
    QVERIFY(gateway);
    const quint16 port = gateway->port();

    // 1,000 client addresses 127.0.10.1 .. 127.0.13.250, each on its own connection, twice.
    constexpr int kAddresses = 1000;
    constexpr int kThreads = 4;
    const auto address = [](int i) { return QHostAddress(QStringLiteral("127.0.%1.%2").arg(10 + i / 250).arg(1 + i % 250)); };
    struct Seen
    {
        QString name;
        QByteArray side;
    };
    std::vector<Seen> first(kAddresses);
    std::vector<Seen> second(kAddresses);
    QElapsedTimer timer;
    timer.start();
    const auto sweep = [&](std::vector<Seen> &seen, int round) {
        return runClientThreads(kThreads, [&](int thread) {
            for (int i = thread; i < kAddresses; i += kThreads) {
                RawConnection connection;
                if (!connection.openFrom(address(i), port)) {
                    continue;
                }
                const QByteArray id = "canary-" + QByteArray::number(round) + '-' + QByteArray::number(i);
                const std::optional<HttpResponse> response
                    = connection.roundTrip("GET", "/shop/cart", { { "X-Request-ID", id }, { "Connection", "close" } });
                if (response && response->status == 200) {
                    seen[size_t(i)] = { field(response->body, "name"), response->header("x-gatehouse-canary") };
                }
            }
        });
    };
    QVERIFY(sweep(first, 1));
    QVERIFY(sweep(second, 2));
    const qint64 sweepMs = timer.elapsed();
    int canary = 0;
    for (int i = 0; i < kAddresses; ++i) {
        const Seen &once = first[size_t(i)];
        const Seen &again = second[size_t(i)];
        const QString who = address(i).toString();
        QVERIFY2(once.name == QStringLiteral("a") || once.name == QStringLiteral("v2"), qPrintable(who + QStringLiteral(": ") + once.name));
        // The response header tells the side, and agrees with the echo that answered.
        QCOMPARE(once.side, once.name == QStringLiteral("v2") ? QByteArray("canary") : QByteArray("stable"));
        QVERIFY2(once.name == again.name && once.side == again.side,
                 qPrintable(who + QStringLiteral(" went to %1, then %2").arg(once.name, again.name)));
        canary += once.name == QStringLiteral("v2") ? 1 : 0;
    }
    qInfo("canary 20%%: %d of %d client addresses on the canary (2 x %d connections in %lld ms)", canary, kAddresses,
          kAddresses, sweepMs);
    QVERIFY2(canary >= kAddresses * 15 / 100 && canary <= kAddresses * 25 / 100, qPrintable(QString::number(canary)));

    // The header forces a side, whatever the client address.
    RawConnection connection;
    QVERIFY(connection.open(port));
    int forced = 0;
    for (const QByteArray &value : { QByteArray("1"), QByteArray("yes"), QByteArray("true"), QByteArray("anything") }) {
        const QByteArray id = "forced-canary-" + QByteArray::number(forced++);
        const std::optional<HttpResponse> response = connection.roundTrip("GET", "/shop", { { "X-Canary", value }, { "X-Request-ID", id } });
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY2(field(response->body, "name") == QStringLiteral("v2"), value.constData());
        QCOMPARE(response->header("x-gatehouse-canary"), QByteArray("canary"));
    }
    for (const QByteArray &value : { QByteArray("0"), QByteArray("false"), QByteArray("no") }) {
        const QByteArray id = "forced-stable-" + QByteArray::number(forced++);
        const std::optional<HttpResponse> response = connection.roundTrip("GET", "/shop", { { "X-Canary", value }, { "X-Request-ID", id } });
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY2(field(response->body, "name") == QStringLiteral("a"), value.constData());
        QCOMPARE(response->header("x-gatehouse-canary"), QByteArray("stable"));
    }

    // The access log says which side each request took.
    const QHash<QString, QJsonObject> log = byRequestId(waitForAccessLog(logPath, 2 * kAddresses + forced));
    for (int i = 0; i < kAddresses; ++i) {
        const QJsonObject line = log.value(QStringLiteral("canary-1-%1").arg(i));
        QVERIFY2(!line.isEmpty(), qPrintable(QString::number(i)));
        QCOMPARE(line.value(QStringLiteral("canary")).toBool(), first[size_t(i)].name == QStringLiteral("v2"));
        QCOMPARE(line.value(QStringLiteral("client")).toString().section(QLatin1Char(':'), 0, 0), address(i).toString());
    }
    for (int i = 0; i < forced; ++i) {
        const QJsonObject line = log.value(QStringLiteral("forced-%1-%2").arg(i < 4 ? QStringLiteral("canary") : QStringLiteral("stable")).arg(i));
        QVERIFY2(!line.isEmpty(), qPrintable(QString::number(i)));
        QCOMPARE(line.value(QStringLiteral("canary")).toBool(), i < 4);
        QCOMPARE(line.value(QStringLiteral("upstream")).toString(), i < 4 ? QStringLiteral("v2") : QStringLiteral("stable"));
    }
    QCOMPARE(gateway->terminate(), 0);
}

void TestCanaryAndFault::faultInjection()
{
    QByteArray profile = R"(gatehouse: 1
name: faults
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: a
    targets: [{ url: "http://127.0.0.1:@A@" }]
routes:
  - name: abort
    match: { path: /abort }
    upstream: a
    fault: { abort_status: 503, abort_percent: 100 }
  - name: delay
    match: { path: /delay }
    upstream: a
    fault: { delay: 300ms, delay_percent: 100 }
  - name: half
    match: { path: /half }
    upstream: a
    fault: { delay: 300ms, delay_percent: 50 }
)";
    profile.replace("@A@", portOf(m_a));
    QString logPath;
    const auto gateway = startGateway(QStringLiteral("faults"), profile, &logPath);
    QVERIFY(gateway);
    const quint16 port = gateway->port();

    RawConnection connection;
    QVERIFY(connection.open(port));
    for (int i = 0; i < 5; ++i) {
        const std::optional<HttpResponse> aborted
            = connection.roundTrip("GET", "/abort", { { "X-Request-ID", "abort-" + QByteArray::number(i) } });
        QVERIFY(aborted);
        QCOMPARE(aborted->status, 503);
        QCOMPARE(errorOf(*aborted), QStringLiteral("fault_injected"));
        QCOMPARE(aborted->header("content-type"), QByteArray("application/json"));
    }
    qint64 shortest = std::numeric_limits<qint64>::max();
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer timer;
        timer.start();
        const std::optional<HttpResponse> delayed = connection.roundTrip("GET", "/delay");
        const qint64 elapsed = timer.elapsed();
        QVERIFY(delayed);
        QCOMPARE(delayed->status, 200);
        QCOMPARE(field(delayed->body, "name"), QStringLiteral("a"));
        QVERIFY2(elapsed >= 300, qPrintable(QStringLiteral("%1 ms").arg(elapsed)));
        shortest = std::min(shortest, elapsed);
    }
    const QHash<QString, QJsonObject> log = byRequestId(waitForAccessLog(logPath, 8));
    for (int i = 0; i < 5; ++i) {
        const QJsonObject line = log.value(QStringLiteral("abort-%1").arg(i));
        QCOMPARE(line.value(QStringLiteral("status")).toInt(), 503);
        QCOMPARE(line.value(QStringLiteral("error")).toString(), QStringLiteral("fault_injected"));
        QVERIFY2(upstreamNotAsked(line), QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
    }

    // delay_percent 50: 100 requests on 10 keep-alive connections; the delayed ones take 300 ms.
    std::atomic<int> delayed { 0 };
    std::atomic<int> answered { 0 };
    QElapsedTimer timer;
    timer.start();
    QVERIFY(runClientThreads(10, [&](int) {
        RawConnection mine;
        if (!mine.open(port)) {
            return;
        }
        for (int i = 0; i < 10; ++i) {
            QElapsedTimer one;
            one.start();
            const std::optional<HttpResponse> response = mine.roundTrip("GET", "/half");
            if (!response || response->status != 200) {
                return;
            }
            ++answered;
            delayed += one.elapsed() > 150 ? 1 : 0;
        }
    }));
    qInfo("fault delay 300ms: shortest fully delayed answer %lld ms; delay_percent 50: %d of %d delayed (%lld ms)",
          shortest, delayed.load(), answered.load(), timer.elapsed());
    QCOMPARE(answered.load(), 100);
    QVERIFY2(delayed >= 30 && delayed <= 70, qPrintable(QString::number(delayed.load())));
    QCOMPARE(gateway->terminate(), 0);
}

QTEST_GUILESS_MAIN(TestCanaryAndFault)
#include "TestCanaryAndFault.moc"
