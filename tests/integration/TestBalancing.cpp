// Every balance algorithm of an upstream (SPEC §2), end to end: the real `gatehouse serve` in
// front of real `gatehouse echo` targets on loopback, with real client sockets. Round robin is
// exact (nginx's smooth sequence) on one keep-alive connection, since each connection stays on
// one worker and each worker has its own balancer; the load-aware algorithms are checked
// statistically under bounded concurrent load; the hashes for stickiness and spread, from
// distinct client source addresses, and across a SIGHUP reload that removes a target.

#include <csignal>

#include <QElapsedTimer>
#include <QHostAddress>
#include <QMap>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

struct TargetSpec
{
    const GatehouseProcess *echo = nullptr;
    int weight = 1;
};

// A profile with one upstream `u` (the given balance and targets) behind the route "/".
QByteArray balancingProfile(const QByteArray &balance, const QList<TargetSpec> &targets,
                            const QByteArray &upstreamExtra = {})
{
    QByteArray text = "gatehouse: 1\nname: balancing\nlisten:\n  - bind: 127.0.0.1:0\nupstreams:\n  - name: u\n"
                      "    balance: "
        + balance + "\n" + upstreamExtra + "    targets:\n";
    for (const TargetSpec &target : targets) {
        text += "      - { url: \"http://127.0.0.1:" + QByteArray::number(target.echo->port())
            + "\", weight: " + QByteArray::number(target.weight) + " }\n";
    }
    text += "routes:\n  - name: all\n    match: { path: / }\n    upstream: u\n";
    return text;
}

QString describe(const QMap<QString, int> &counts)
{
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        parts.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
    }
    return parts.join(QStringLiteral(", "));
}

struct LoadTally
{
    QMap<QString, int> byName;
    int total = 0;
    int failures = 0;
};

// `clients` keep-alive connections sending GETs back to back until `durationMs` passed or each
// has sent `perClient` requests; tallies the echo names that answered.
LoadTally keepAliveLoad(quint16 port, int clients, int durationMs, int perClient = std::numeric_limits<int>::max())
{
    LoadTally tally;
    QMutex mutex;
    QElapsedTimer runClock;
    runClock.start();
    runClientThreads(clients, [&](int client) {
        LoadTally mine;
        auto connection = std::make_unique<RawConnection>();
        bool open = connection->open(port);
        for (int i = 0; i < perClient && runClock.elapsed() < durationMs; ++i) {
            if (!open) {
                connection = std::make_unique<RawConnection>();
                open = connection->open(port);
                ++mine.failures;
                continue;
            }
            const std::optional<HttpResponse> response
                = connection->roundTrip("GET", "/load/" + QByteArray::number(client) + '/' + QByteArray::number(i));
            ++mine.total;
            if (!response || response->status != 200) {
                ++mine.failures;
                open = false;
                continue;
            }
            ++mine.byName[field(response->body, "name")];
        }
        const QMutexLocker lock(&mutex);
        tally.total += mine.total;
        tally.failures += mine.failures;
        for (auto it = mine.byName.cbegin(); it != mine.byName.cend(); ++it) {
            tally.byName[it.key()] += it.value();
        }
    }, durationMs + 30000);
    return tally;
}

// One GET on a fresh connection from `source`; the echo name that answered ("" on failure).
QString nameFrom(const QHostAddress &source, quint16 port, const QList<std::pair<QByteArray, QByteArray>> &headers = {})
{
    RawConnection connection;
    if (!connection.openFrom(source, port)) {
        return {};
    }
    QList<std::pair<QByteArray, QByteArray>> all = headers;
    all.append(std::pair<QByteArray, QByteArray>("Connection", "close"));
    const std::optional<HttpResponse> response = connection.roundTrip("GET", "/who", all);
    return response && response->status == 200 ? field(response->body, "name") : QString();
}

} // namespace

class TestBalancing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void roundRobinIsExactlyEvenOnOneConnection();
    void weightedRoundRobinFollowsNginxSequence();
    void leastConnectionsAvoidsSlowTarget();
    void ipHashSticksPerClientAddress();
    void consistentHashSticksAndRemapsMinimally();
    void leastLatencyAvoidsSlowTarget();
    void randomFollowsWeights();

private:
    // A gateway on `profile`, started with --quiet; null (and a failed check) when it won't start.
    std::unique_ptr<GatehouseProcess> startGateway(const QString &fileName, const QByteArray &profile);

    QTemporaryDir m_dir;
    GatehouseProcess m_a;
    GatehouseProcess m_b;
    GatehouseProcess m_c;
    GatehouseProcess m_slow; // --delay 300ms
    GatehouseProcess m_lagging; // --delay 50ms
};

void TestBalancing::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_a.startEcho(QStringLiteral("a")), m_a.stderrText().constData());
    QVERIFY2(m_b.startEcho(QStringLiteral("b")), m_b.stderrText().constData());
    QVERIFY2(m_c.startEcho(QStringLiteral("c")), m_c.stderrText().constData());
    QVERIFY2(m_slow.startEcho(QStringLiteral("slow"), { QStringLiteral("--delay"), QStringLiteral("300ms") }),
             m_slow.stderrText().constData());
    QVERIFY2(m_lagging.startEcho(QStringLiteral("lagging"), { QStringLiteral("--delay"), QStringLiteral("50ms") }),
             m_lagging.stderrText().constData());
}

void TestBalancing::cleanupTestCase()
{
    m_a.terminate();
    m_b.terminate();
    m_c.terminate();
    m_slow.terminate();
    m_lagging.terminate();
}

std::unique_ptr<GatehouseProcess> TestBalancing::startGateway(const QString &fileName, const QByteArray &profile)
{
    const QString path = writeFile(m_dir, fileName, profile);
    auto gateway = std::make_unique<GatehouseProcess>();
    if (!gateway->startServe(path, { QStringLiteral("--quiet") })) {
        qWarning("gateway did not start: %s", gateway->stderrText().constData());
        return nullptr;
    }
    return gateway;
}

void TestBalancing::roundRobinIsExactlyEvenOnOneConnection()
{
    const auto gateway = startGateway(QStringLiteral("rr.yaml"),
                                      balancingProfile("round_robin", { { &m_a }, { &m_b }, { &m_c } }));
    QVERIFY(gateway);
    RawConnection connection;
    QVERIFY(connection.open(gateway->port()));
    QByteArray sequence;
    QMap<QString, int> counts;
    for (int i = 0; i < 300; ++i) {
        const std::optional<HttpResponse> response = connection.roundTrip("GET", "/rr/" + QByteArray::number(i));
        QVERIFY2(response, qPrintable(QStringLiteral("request %1").arg(i)));
        QCOMPARE(response->status, 200);
        const QString name = field(response->body, "name");
        ++counts[name];
        sequence += name.toLatin1();
    }
    QVERIFY2(counts.value(QStringLiteral("a")) == 100 && counts.value(QStringLiteral("b")) == 100
                 && counts.value(QStringLiteral("c")) == 100,
             qPrintable(describe(counts)));
    // Not just even in total: every three consecutive answers come from all three targets.
    for (qsizetype i = 0; i + 3 <= sequence.size(); ++i) {
        const QByteArray window = sequence.mid(i, 3);
        QVERIFY2(window.contains('a') && window.contains('b') && window.contains('c'), sequence.constData());
    }
    QCOMPARE(gateway->terminate(), 0);
}

void TestBalancing::weightedRoundRobinFollowsNginxSequence()
{
    const auto gateway = startGateway(QStringLiteral("wrr.yaml"),
                                      balancingProfile("round_robin", { { &m_a, 5 }, { &m_b, 1 }, { &m_c, 1 } }));
    QVERIFY(gateway);
    RawConnection connection;
    QVERIFY(connection.open(gateway->port()));
    QByteArray sequence;
    for (int i = 0; i < 70; ++i) {
        const std::optional<HttpResponse> response = connection.roundTrip("GET", "/wrr/" + QByteArray::number(i));
        QVERIFY2(response, qPrintable(QStringLiteral("request %1").arg(i)));
        QCOMPARE(response->status, 200);
        sequence += field(response->body, "name").toLatin1();
    }
    // nginx's smooth weighted round robin for 5,1,1.
    QCOMPARE(sequence, QByteArray("aabacaa").repeated(10));
    QCOMPARE(gateway->terminate(), 0);
}

void TestBalancing::leastConnectionsAvoidsSlowTarget()
{
    const auto gateway = startGateway(QStringLiteral("lc.yaml"),
                                      balancingProfile("least_connections", { { &m_a }, { &m_b }, { &m_slow } }));
    QVERIFY(gateway);
    const LoadTally tally = keepAliveLoad(gateway->port(), 8, 3000);
    qInfo("least_connections, 8 clients for 3 s: %d requests: %s", tally.total, qPrintable(describe(tally.byName)));
    QCOMPARE(tally.failures, 0);
    QVERIFY2(tally.total >= 100, qPrintable(describe(tally.byName)));
    // Round robin would give the slow target a third; it holds a connection 300 ms each time.
    QVERIFY2(tally.byName.value(QStringLiteral("slow")) * 100 < tally.total * 15, qPrintable(describe(tally.byName)));
    QVERIFY2(tally.byName.value(QStringLiteral("a")) > 0 && tally.byName.value(QStringLiteral("b")) > 0,
             qPrintable(describe(tally.byName)));
    QCOMPARE(gateway->terminate(), 0);
}

void TestBalancing::ipHashSticksPerClientAddress()
{
    const auto gateway = startGateway(QStringLiteral("iphash.yaml"),
                                      balancingProfile("ip_hash", { { &m_a }, { &m_b }, { &m_c } }));
    QVERIFY(gateway);
    const quint16 port = gateway->port();

    // Every request from 127.0.0.1, each on its own connection (so on both workers): one target.
    QMap<QString, int> local;
    for (int i = 0; i < 30; ++i) {
        ++local[nameFrom(QHostAddress(QStringLiteral("127.0.0.1")), port)];
    }
    QVERIFY2(local.size() == 1 && !local.firstKey().isEmpty(), qPrintable(describe(local)));

    // 100 client addresses 127.0.0.2..127.0.0.101, twice.
    constexpr int kAddresses = 100;
    constexpr int kThreads = 4;
    // One slot per address, written by one thread each.
    std::vector<QString> first(kAddresses);
    std::vector<QString> second(kAddresses);
    const auto sweep = [&](std::vector<QString> &names) {
        return runClientThreads(kThreads, [&](int thread) {
            for (int i = thread; i < kAddresses; i += kThreads) {
                names[size_t(i)] = nameFrom(QHostAddress(QStringLiteral("127.0.0.%1").arg(i + 2)), port);
            }
        });
    };
    QVERIFY(sweep(first));
    QVERIFY(sweep(second));
    QMap<QString, int> counts;
    for (int i = 0; i < kAddresses; ++i) {
        const QString &once = first[size_t(i)];
        const QString &again = second[size_t(i)];
        QVERIFY2(!once.isEmpty() && !again.isEmpty(), qPrintable(QStringLiteral("127.0.0.%1").arg(i + 2)));
        QVERIFY2(once == again, qPrintable(QStringLiteral("127.0.0.%1 went to %2, then %3").arg(i + 2).arg(once, again)));
        ++counts[once];
    }
    qInfo("ip_hash over 100 client addresses: %s", qPrintable(describe(counts)));
    for (const char *name : { "a", "b", "c" }) {
        QVERIFY2(counts.value(QLatin1String(name)) >= kAddresses / 10, qPrintable(describe(counts)));
    }
    QCOMPARE(gateway->terminate(), 0);
}

void TestBalancing::consistentHashSticksAndRemapsMinimally()
{
    const QByteArray hashOn = "    hash_on: header:X-User-ID\n";
    const QString path = writeFile(m_dir, QStringLiteral("chash.yaml"),
                                   balancingProfile("consistent_hash", { { &m_a }, { &m_b }, { &m_c } }, hashOn));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(path, { QStringLiteral("--quiet") }), gateway.stderrText().constData());

    constexpr int kUsers = 300;
    const auto userId = [](int user) { return "user-" + QByteArray::number(user * 7919 + 13); };
    const auto sweep = [&](QList<QString> &names) {
        RawConnection connection;
        if (!connection.open(gateway.port())) {
            return false;
        }
        for (int user = 0; user < kUsers; ++user) {
            const std::optional<HttpResponse> response = connection.roundTrip("GET", "/profile", { { "X-User-ID", userId(user) } });
            if (!response || response->status != 200) {
                return false;
            }
            names[user] = field(response->body, "name");
        }
        return true;
    };
    QList<QString> first(kUsers);
    QList<QString> second(kUsers);
    QVERIFY(sweep(first));
    QVERIFY(sweep(second));
    QMap<QString, int> counts;
    for (int user = 0; user < kUsers; ++user) {
        QVERIFY2(first.at(user) == second.at(user), userId(user).constData());
        ++counts[first.at(user)];
    }
    qInfo("consistent_hash over 300 users: %s", qPrintable(describe(counts)));
    for (const char *name : { "a", "b", "c" }) {
        QVERIFY2(counts.value(QLatin1String(name)) * 100 >= kUsers * 15, qPrintable(describe(counts)));
    }

    // Target c goes away: its users move, everybody else stays where they were.
    writeFile(m_dir, QStringLiteral("chash.yaml"), balancingProfile("consistent_hash", { { &m_a }, { &m_b } }, hashOn));
    QByteArray message;
    QVERIFY2(reloadBySighup(gateway, &message), message.constData());
    // The workers pick the new profile up just after "reloaded": wait until a user of c moved.
    const int userOfC = int(first.indexOf(QStringLiteral("c")));
    QVERIFY(QTest::qWaitFor([&] {
        RawConnection probe;
        if (!probe.open(gateway.port())) {
            return false;
        }
        const std::optional<HttpResponse> response = probe.roundTrip("GET", "/profile", { { "X-User-ID", userId(userOfC) } });
        return response && response->status == 200 && field(response->body, "name") != QStringLiteral("c");
    }, 5000));

    QList<QString> after(kUsers);
    QVERIFY(sweep(after));
    int kept = 0;
    int stayers = 0;
    QMap<QString, int> movedTo;
    for (int user = 0; user < kUsers; ++user) {
        QVERIFY2(after.at(user) != QStringLiteral("c"), userId(user).constData());
        if (first.at(user) == QStringLiteral("c")) {
            ++movedTo[after.at(user)];
        } else {
            ++stayers;
            kept += after.at(user) == first.at(user) ? 1 : 0;
        }
    }
    qInfo("after removing c: %d of %d users of a and b kept their target; c's users went to %s", kept, stayers,
          qPrintable(describe(movedTo)));
    QVERIFY2(kept * 100 >= stayers * 95, qPrintable(QStringLiteral("%1 of %2 kept").arg(kept).arg(stayers)));
    QCOMPARE(gateway.terminate(), 0);
}

void TestBalancing::leastLatencyAvoidsSlowTarget()
{
    const auto gateway = startGateway(QStringLiteral("latency.yaml"),
                                      balancingProfile("least_latency", { { &m_a }, { &m_b }, { &m_lagging } }));
    QVERIFY(gateway);
    const LoadTally tally = keepAliveLoad(gateway->port(), 6, 3000);
    qInfo("least_latency, 6 clients for 3 s: %d requests: %s", tally.total, qPrintable(describe(tally.byName)));
    QCOMPARE(tally.failures, 0);
    QVERIFY2(tally.total >= 100, qPrintable(describe(tally.byName)));
    QVERIFY2(tally.byName.value(QStringLiteral("lagging")) * 100 < tally.total * 10, qPrintable(describe(tally.byName)));
    QCOMPARE(gateway->terminate(), 0);
}

void TestBalancing::randomFollowsWeights()
{
    const auto gateway = startGateway(QStringLiteral("random.yaml"),
                                      balancingProfile("random", { { &m_a, 3 }, { &m_b, 1 } }));
    QVERIFY(gateway);
    // 4 keep-alive connections x 500 requests (a hard 20 s bound on the whole).
    const LoadTally tally = keepAliveLoad(gateway->port(), 4, 20000, 500);
    qInfo("random 3:1 over %d requests: %s", tally.total, qPrintable(describe(tally.byName)));
    QCOMPARE(tally.failures, 0);
    QCOMPARE(tally.total, 2000);
    const int heavy = tally.byName.value(QStringLiteral("a"));
    QVERIFY2(heavy * 100 >= tally.total * 65 && heavy * 100 <= tally.total * 85, qPrintable(describe(tally.byName)));
    QCOMPARE(heavy + tally.byName.value(QStringLiteral("b")), tally.total);
    QCOMPARE(gateway->terminate(), 0);
}

QTEST_GUILESS_MAIN(TestBalancing)
#include "TestBalancing.moc"
