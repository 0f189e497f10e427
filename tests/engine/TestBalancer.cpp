#include <cmath>
#include <memory>
#include <numbers>
#include <numeric>
#include <vector>

#include <QDebug>
#include <QList>
#include <QStringList>
#include <QTest>

#include "engine/upstream/Balancer.h"
#include "engine/upstream/HashRing.h"
#include "engine/upstream/IpHash.h"
#include "engine/upstream/LeastConnections.h"
#include "engine/upstream/LeastLatency.h"
#include "engine/upstream/PeakEwma.h"
#include "engine/upstream/RandomBalancer.h"
#include "engine/upstream/SmoothWeightedRoundRobin.h"
#include "engine/upstream/StableHash.h"
#include "engine/upstream/TargetState.h"

using gatehouse::engine::Balancer;
using gatehouse::engine::BalancerTarget;
using gatehouse::engine::HashRing;
using gatehouse::engine::makeBalancer;
using gatehouse::engine::PeakEwma;
using gatehouse::engine::PickRequest;
using gatehouse::engine::SmoothWeightedRoundRobin;
using gatehouse::engine::stableHash;
using gatehouse::engine::TargetState;
using gatehouse::profile::Balance;

namespace {

constexpr qint64 kNowMs = 1'000'000;

using Flags = QList<bool>; // eligible[i], contiguous so it can back a std::span

Flags allEligible(int count)
{
    return Flags(count, true);
}

Flags allBut(int count, int excluded)
{
    Flags flags = allEligible(count);
    flags[excluded] = false;
    return flags;
}

int pickFrom(Balancer &balancer, const Flags &eligible, quint64 key = 0, qint64 nowMs = kNowMs)
{
    return balancer.pick(PickRequest { std::span<const bool>(eligible.constData(), size_t(eligible.size())), key, nowMs });
}

// A client's key as LoadBalanceStage computes it: the stable hash of an IP or a `hash_on` value.
quint64 keyOf(int client)
{
    return stableHash(QByteArray("10.1.") + QByteArray::number(client / 256) + '.' + QByteArray::number(client % 256));
}

// How many of `picks` went to each target (empty if one failed); pick i uses keyOf(i).
std::vector<int> countPicks(Balancer &balancer, const Flags &eligible, int picks)
{
    std::vector<int> counts(size_t(eligible.size()), 0);
    for (int i = 0; i < picks; ++i) {
        const int picked = pickFrom(balancer, eligible, keyOf(i));
        if (picked < 0 || picked >= eligible.size()) {
            return {};
        }
        ++counts[size_t(picked)];
    }
    return counts;
}

// The target each of the first `keys` clients lands on.
std::vector<int> assignKeys(Balancer &balancer, const Flags &eligible, int keys)
{
    std::vector<int> targets;
    for (int i = 0; i < keys; ++i) {
        targets.push_back(pickFrom(balancer, eligible, keyOf(i)));
    }
    return targets;
}

double percentOf(int part, int whole)
{
    return 100.0 * part / whole;
}

QString describe(const std::vector<int> &counts)
{
    const int total = std::accumulate(counts.begin(), counts.end(), 0);
    QStringList parts;
    for (const int count : counts) {
        parts.append(QString::number(percentOf(count, total), 'f', 1) + QLatin1Char('%'));
    }
    return parts.join(QLatin1Char(' '));
}

// Reports a measured distribution in the test log, so runs can be compared.
void report(const char *what, const std::vector<int> &counts)
{
    qInfo().noquote() << what << describe(counts);
}

bool withinPercent(int count, int total, double low, double high)
{
    const double share = percentOf(count, total);
    return share >= low && share <= high;
}

QByteArray urlOf(int target)
{
    return "http://10.0.0." + QByteArray::number(target + 1) + ":8080";
}

// The targets of one upstream as the engine compiles them: weights, shared live state, and
// the consistent-hash ring built from the target URLs.
class Targets final
{
public:
    explicit Targets(std::vector<int> weights)
        : m_weights(std::move(weights))
    {
        for (int i = 0; i < size(); ++i) {
            m_states.push_back(std::make_unique<TargetState>());
            m_identities.append(urlOf(i));
        }
        m_ring = std::make_shared<const HashRing>(m_identities, m_weights);
    }

    int size() const { return int(m_weights.size()); }
    TargetState &state(int index) { return *m_states[size_t(index)]; }
    const QList<QByteArray> &identities() const { return m_identities; }
    const std::vector<int> &weights() const { return m_weights; }
    const HashRing &ring() const { return *m_ring; }

    std::unique_ptr<Balancer> balancer(Balance kind) const
    {
        std::vector<BalancerTarget> targets;
        for (int i = 0; i < size(); ++i) {
            targets.push_back({ m_weights[size_t(i)], m_states[size_t(i)].get() });
        }
        return makeBalancer(kind, targets, m_ring);
    }

private:
    std::vector<int> m_weights;
    std::vector<std::unique_ptr<TargetState>> m_states;
    QList<QByteArray> m_identities;
    std::shared_ptr<const HashRing> m_ring;
};

struct NamedKind
{
    const char *name;
    Balance kind;
};

constexpr NamedKind kAllKinds[] = {
    { "round_robin", Balance::RoundRobin }, { "least_connections", Balance::LeastConnections },
    { "ip_hash", Balance::IpHash },         { "consistent_hash", Balance::ConsistentHash },
    { "random", Balance::Random },          { "least_latency", Balance::LeastLatency },
};

void addKindRows()
{
    QTest::addColumn<int>("kind");
    for (const NamedKind &named : kAllKinds) {
        QTest::newRow(named.name) << int(named.kind);
    }
}

} // namespace

class TestBalancer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nginxSequence_data();
    void nginxSequence();
    void skipsExcludedTargets();
    void allExcluded();
    void roundRobinEven();

    void neverPicksIneligible_data();
    void neverPicksIneligible();
    void allIneligible_data();
    void allIneligible();

    void leastConnectionsFewestInFlight_data();
    void leastConnectionsFewestInFlight();
    void leastConnectionsTiesRotate_data();
    void leastConnectionsTiesRotate();

    void ipHashSticky();
    void ipHashSpread();
    void ipHashWeights();

    void consistentHashStable();
    void consistentHashSpread();
    void consistentHashRemovingTargetMovesOnlyItsKeys();
    void consistentHashWeights();

    void ineligibleTargetMovesOnlyItsKeys_data();
    void ineligibleTargetMovesOnlyItsKeys();

    void randomWeights();

    void leastLatencyAvoidsSlowTarget();
    void leastLatencyPenalisesUnmeasuredInFlight();

    void peakEwmaSlowerSampleReplaces();
    void peakEwmaFasterSamplesPullDownGradually();
    void peakEwmaDecaysWithTime();
};

void TestBalancer::nginxSequence_data()
{
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<QString>("sequence");
    // The sequences nginx's ngx_http_upstream_get_peer produces.
    QTest::newRow("5,1,1") << QList<int> { 5, 1, 1 } << QStringLiteral("aabacaa" "aabacaa");
    QTest::newRow("equal") << QList<int> { 1, 1, 1 } << QStringLiteral("abcabc");
    QTest::newRow("2,1") << QList<int> { 2, 1 } << QStringLiteral("abaaba");
    QTest::newRow("single") << QList<int> { 3 } << QStringLiteral("aaaa");
    QTest::newRow("4,2,1") << QList<int> { 4, 2, 1 } << QStringLiteral("abacaba");
}

void TestBalancer::nginxSequence()
{
    QFETCH(QList<int>, weights);
    QFETCH(QString, sequence);
    SmoothWeightedRoundRobin balancer(std::vector<int>(weights.begin(), weights.end()));
    QString produced;
    for (qsizetype i = 0; i < sequence.size(); ++i) {
        produced.append(QLatin1Char(char('a' + pickFrom(balancer, allEligible(int(weights.size()))))));
    }
    QCOMPARE(produced, sequence);
}

void TestBalancer::skipsExcludedTargets()
{
    SmoothWeightedRoundRobin balancer({ 5, 1, 1 });
    for (int i = 0; i < 20; ++i) {
        const int picked = pickFrom(balancer, { false, true, true });
        QVERIFY(picked == 1 || picked == 2);
    }
}

void TestBalancer::allExcluded()
{
    SmoothWeightedRoundRobin balancer({ 1, 1 });
    QCOMPARE(pickFrom(balancer, { false, false }), -1);
    SmoothWeightedRoundRobin empty({});
    QCOMPARE(pickFrom(empty, {}), -1);
}

void TestBalancer::roundRobinEven()
{
    const Targets targets({ 1, 1, 1 });
    const auto balancer = targets.balancer(Balance::RoundRobin);
    QCOMPARE(countPicks(*balancer, allEligible(3), 300), (std::vector<int> { 100, 100, 100 }));
}

void TestBalancer::neverPicksIneligible_data()
{
    addKindRows();
}

void TestBalancer::neverPicksIneligible()
{
    QFETCH(int, kind);
    Targets targets({ 3, 1, 2, 1 });
    targets.state(0).latency.observe(1.0, kNowMs); // least_latency's favourite, when eligible
    const QList<Flags> patterns { allBut(4, 0), allBut(4, 2), { false, true, false, false },
                                  { true, false, false, true } };
    for (const Flags &eligible : patterns) {
        const auto balancer = targets.balancer(Balance(kind));
        const std::vector<int> counts = countPicks(*balancer, eligible, 500);
        QCOMPARE(counts.size(), size_t(4));
        for (int i = 0; i < 4; ++i) {
            if (!eligible[i]) {
                QCOMPARE(counts[size_t(i)], 0);
            }
        }
    }
}

void TestBalancer::allIneligible_data()
{
    addKindRows();
}

void TestBalancer::allIneligible()
{
    QFETCH(int, kind);
    const Targets targets({ 2, 1, 1 });
    const auto balancer = targets.balancer(Balance(kind));
    for (int client = 0; client < 50; ++client) {
        QCOMPARE(pickFrom(*balancer, Flags(3, false), keyOf(client)), -1);
    }
}

void TestBalancer::leastConnectionsFewestInFlight_data()
{
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<QList<int>>("inFlight");
    QTest::addColumn<int>("expected");
    QTest::newRow("equal weights") << QList<int> { 1, 1, 1 } << QList<int> { 3, 1, 2 } << 1;
    QTest::newRow("last is idle") << QList<int> { 1, 1, 1 } << QList<int> { 3, 1, 0 } << 2;
    // 5/3 < 2/1: the heavy target has more requests but fewer per unit of weight.
    QTest::newRow("heavy has room") << QList<int> { 3, 1 } << QList<int> { 5, 2 } << 0;
    // 7/3 > 2/1.
    QTest::newRow("heavy is full") << QList<int> { 3, 1 } << QList<int> { 7, 2 } << 1;
}

void TestBalancer::leastConnectionsFewestInFlight()
{
    QFETCH(QList<int>, weights);
    QFETCH(QList<int>, inFlight);
    QFETCH(int, expected);
    Targets targets(std::vector<int>(weights.begin(), weights.end()));
    for (int i = 0; i < targets.size(); ++i) {
        targets.state(i).inFlight.store(inFlight.at(i));
    }
    const auto balancer = targets.balancer(Balance::LeastConnections);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(pickFrom(*balancer, allEligible(targets.size())), expected);
    }
    // With the least loaded one excluded, the next least loaded one gets the requests.
    const int picked = pickFrom(*balancer, allBut(targets.size(), expected));
    QVERIFY(picked >= 0 && picked != expected);
}

void TestBalancer::leastConnectionsTiesRotate_data()
{
    QTest::addColumn<QList<int>>("weights");
    QTest::addColumn<int>("inFlight");
    QTest::addColumn<QList<int>>("expected");
    QTest::newRow("idle, equal") << QList<int> { 1, 1, 1 } << 0 << QList<int> { 100, 100, 100 };
    QTest::newRow("idle, 2:1") << QList<int> { 2, 1 } << 0 << QList<int> { 200, 100 };
    QTest::newRow("busy, equal") << QList<int> { 1, 1, 1 } << 4 << QList<int> { 100, 100, 100 };
    QTest::newRow("busy, 2:1") << QList<int> { 2, 1 } << 4 << QList<int> { 200, 100 };
}

void TestBalancer::leastConnectionsTiesRotate()
{
    QFETCH(QList<int>, weights);
    QFETCH(int, inFlight);
    QFETCH(QList<int>, expected);
    Targets targets(std::vector<int>(weights.begin(), weights.end()));
    for (int i = 0; i < targets.size(); ++i) {
        targets.state(i).inFlight.store(inFlight * weights.at(i)); // the same load per weight
    }
    const auto balancer = targets.balancer(Balance::LeastConnections);
    const std::vector<int> counts = countPicks(*balancer, allEligible(targets.size()), 300);
    QCOMPARE(counts, std::vector<int>(expected.begin(), expected.end()));
}

void TestBalancer::ipHashSticky()
{
    const Targets targets({ 1, 1, 1 });
    const auto balancer = targets.balancer(Balance::IpHash);
    for (int client = 0; client < 5; ++client) {
        const int first = pickFrom(*balancer, allEligible(3), keyOf(client));
        QVERIFY(first >= 0);
        for (int i = 0; i < 1000; ++i) {
            QCOMPARE(pickFrom(*balancer, allEligible(3), keyOf(client)), first);
        }
    }
}

void TestBalancer::ipHashSpread()
{
    const Targets targets({ 1, 1, 1 });
    const auto balancer = targets.balancer(Balance::IpHash);
    const std::vector<int> counts = countPicks(*balancer, allEligible(3), 1000);
    report("ip_hash 1,1,1 over 1000 keys:", counts);
    QCOMPARE(counts.size(), size_t(3));
    for (const int count : counts) {
        QVERIFY2(withinPercent(count, 1000, 20, 47), qPrintable(describe(counts)));
    }
}

void TestBalancer::ipHashWeights()
{
    const Targets targets({ 3, 1 });
    const auto balancer = targets.balancer(Balance::IpHash);
    const std::vector<int> counts = countPicks(*balancer, allEligible(2), 10'000);
    report("ip_hash 3,1 over 10000 keys:", counts);
    QCOMPARE(counts.size(), size_t(2));
    QVERIFY2(withinPercent(counts[0], 10'000, 65, 85), qPrintable(describe(counts)));
}

void TestBalancer::consistentHashStable()
{
    const Targets targets({ 1, 1, 1, 1, 1 });
    const Targets sameTargets({ 1, 1, 1, 1, 1 }); // another process building the same ring
    const auto balancer = targets.balancer(Balance::ConsistentHash);
    const auto other = sameTargets.balancer(Balance::ConsistentHash);
    for (int client = 0; client < 1000; ++client) {
        const int first = pickFrom(*balancer, allEligible(5), keyOf(client));
        QVERIFY(first >= 0);
        QCOMPARE(pickFrom(*balancer, allEligible(5), keyOf(client)), first);
        QCOMPARE(pickFrom(*other, allEligible(5), keyOf(client)), first);
    }
}

void TestBalancer::consistentHashSpread()
{
    const Targets targets({ 1, 1, 1, 1, 1 });
    QCOMPARE(targets.ring().size(), qsizetype(5 * HashRing::kPointsPerTarget));
    const auto balancer = targets.balancer(Balance::ConsistentHash);
    const std::vector<int> counts = countPicks(*balancer, allEligible(5), 10'000);
    report("consistent_hash 5 targets over 10000 keys:", counts);
    QCOMPARE(counts.size(), size_t(5));
    for (const int count : counts) {
        QVERIFY2(withinPercent(count, 10'000, 10, 30), qPrintable(describe(counts)));
    }
}

void TestBalancer::consistentHashRemovingTargetMovesOnlyItsKeys()
{
    const Targets targets({ 1, 1, 1, 1, 1 });
    const int removed = 2;
    QList<QByteArray> remaining = targets.identities();
    remaining.removeAt(removed);
    const HashRing smaller(remaining, { 1, 1, 1, 1 });

    const int keys = 10'000;
    int moved = 0;
    int wrongMoves = 0;
    for (int client = 0; client < keys; ++client) {
        const QByteArray before = targets.identities().at(targets.ring().lookup(keyOf(client), allEligible(5)));
        const QByteArray after = remaining.at(smaller.lookup(keyOf(client), allEligible(4)));
        if (before != after) {
            ++moved;
            wrongMoves += before == urlOf(removed) ? 0 : 1;
        }
    }
    qInfo().noquote() << "consistent_hash remap after removing 1 of 5 targets:"
                      << QString::number(percentOf(moved, keys), 'f', 1) + QLatin1Char('%');
    QVERIFY2(percentOf(moved, keys) < 30.0, qPrintable(QString::number(moved)));
    QVERIFY(moved > 0);
    QCOMPARE(wrongMoves, 0);
}

void TestBalancer::consistentHashWeights()
{
    const Targets targets({ 2, 1, 1 });
    const auto balancer = targets.balancer(Balance::ConsistentHash);
    const std::vector<int> counts = countPicks(*balancer, allEligible(3), 10'000);
    report("consistent_hash 2,1,1 over 10000 keys:", counts);
    QCOMPARE(counts.size(), size_t(3));
    QVERIFY2(withinPercent(counts[0], 10'000, 35, 65), qPrintable(describe(counts)));
}

void TestBalancer::ineligibleTargetMovesOnlyItsKeys_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("ip_hash") << int(Balance::IpHash);
    QTest::newRow("consistent_hash") << int(Balance::ConsistentHash);
}

void TestBalancer::ineligibleTargetMovesOnlyItsKeys()
{
    QFETCH(int, kind);
    const Targets targets({ 1, 1, 1 });
    const auto balancer = targets.balancer(Balance(kind));
    const int keys = 3'000;
    const int excluded = 1;
    const std::vector<int> before = assignKeys(*balancer, allEligible(3), keys);
    const std::vector<int> after = assignKeys(*balancer, allBut(3, excluded), keys);
    std::vector<int> movedTo(3, 0);
    for (int client = 0; client < keys; ++client) {
        if (before[size_t(client)] == excluded) {
            QVERIFY(after[size_t(client)] >= 0);
            ++movedTo[size_t(after[size_t(client)])];
        } else {
            QCOMPARE(after[size_t(client)], before[size_t(client)]);
        }
    }
    report("keys of the ineligible target moved to:", movedTo);
    const int moved = std::accumulate(movedTo.begin(), movedTo.end(), 0);
    QVERIFY(moved > keys / 10);
    QCOMPARE(movedTo[size_t(excluded)], 0);
    // They spread over the others instead of all falling onto one neighbour.
    QVERIFY2(withinPercent(movedTo[0], moved, 25, 75), qPrintable(describe(movedTo)));
}

void TestBalancer::randomWeights()
{
    const Targets targets({ 3, 1 });
    const auto balancer = targets.balancer(Balance::Random);
    const std::vector<int> counts = countPicks(*balancer, allEligible(2), 20'000);
    report("random 3,1 over 20000 picks:", counts);
    QCOMPARE(counts.size(), size_t(2));
    QVERIFY2(withinPercent(counts[0], 20'000, 70, 80), qPrintable(describe(counts)));
}

void TestBalancer::leastLatencyAvoidsSlowTarget()
{
    Targets targets({ 1, 1, 1 });
    targets.state(0).latency.observe(50.0, kNowMs);
    targets.state(1).latency.observe(1.0, kNowMs);
    targets.state(2).latency.observe(1.0, kNowMs);
    const auto balancer = targets.balancer(Balance::LeastLatency);
    const std::vector<int> counts = countPicks(*balancer, allEligible(3), 3'000);
    report("least_latency 50ms,1ms,1ms over 3000 picks:", counts);
    QCOMPARE(counts.size(), size_t(3));
    QVERIFY2(percentOf(counts[0], 3'000) < 5.0, qPrintable(describe(counts)));
    // The two fast ones share the rest: two random choices, not always the same one.
    QVERIFY2(withinPercent(counts[1], 3'000, 35, 65), qPrintable(describe(counts)));
}

void TestBalancer::leastLatencyPenalisesUnmeasuredInFlight()
{
    Targets targets({ 1, 1, 1 });
    targets.state(0).latency.observe(10.0, kNowMs);
    targets.state(1).latency.observe(10.0, kNowMs);
    const auto balancer = targets.balancer(Balance::LeastLatency);

    // Idle and unmeasured costs nothing: it wins every pair it is sampled into (2 of 3).
    const std::vector<int> idle = countPicks(*balancer, allEligible(3), 3'000);
    report("least_latency with an idle unmeasured target:", idle);
    QVERIFY2(withinPercent(idle[2], 3'000, 55, 78), qPrintable(describe(idle)));

    // Unmeasured with a request in flight: it waits for that answer before taking another.
    targets.state(2).inFlight.store(1);
    const std::vector<int> busy = countPicks(*balancer, allEligible(3), 3'000);
    report("least_latency with a busy unmeasured target:", busy);
    QCOMPARE(busy[2], 0);
    // Still picked when it is the only choice.
    QCOMPARE(pickFrom(*balancer, { false, false, true }), 2);
}

void TestBalancer::peakEwmaSlowerSampleReplaces()
{
    PeakEwma ewma;
    QVERIFY(!ewma.hasSamples());
    QCOMPARE(ewma.valueMs(kNowMs), 0.0);
    ewma.observe(10.0, kNowMs);
    QVERIFY(ewma.hasSamples());
    QCOMPARE(ewma.valueMs(kNowMs), 10.0);
    ewma.observe(100.0, kNowMs + 1);
    QCOMPARE(ewma.lastValueMs(), 100.0);
    QCOMPARE(ewma.valueMs(kNowMs + 1), 100.0);
}

void TestBalancer::peakEwmaFasterSamplesPullDownGradually()
{
    PeakEwma ewma;
    ewma.observe(100.0, kNowMs);
    const double weight = std::exp(-1'000.0 / PeakEwma::kTauMs);
    double previous = 100.0;
    for (int second = 1; second <= 100; ++second) {
        ewma.observe(10.0, kNowMs + second * 1'000);
        const double value = ewma.lastValueMs();
        QVERIFY2(value < previous && value > 10.0, qPrintable(QString::number(value)));
        if (second == 1) {
            QVERIFY(qAbs(value - (100.0 * weight + 10.0 * (1.0 - weight))) < 1e-9); // ~91.4
        }
        if (second == 5) {
            QVERIFY2(value > 50.0, qPrintable(QString::number(value))); // gradually, not at once
        }
        previous = value;
    }
    QVERIFY2(previous < 10.1, qPrintable(QString::number(previous)));
}

void TestBalancer::peakEwmaDecaysWithTime()
{
    PeakEwma ewma;
    ewma.observe(100.0, kNowMs);
    const qint64 tau = qint64(PeakEwma::kTauMs);
    QCOMPARE(ewma.valueMs(kNowMs), 100.0);
    QVERIFY(qAbs(ewma.valueMs(kNowMs + tau) - 100.0 / std::numbers::e) < 1e-9);
    QVERIFY(ewma.valueMs(kNowMs + tau / 10) > ewma.valueMs(kNowMs + tau));
    QVERIFY(ewma.valueMs(kNowMs + 10 * tau) < 0.01);
    // Reading does not consume the sample; a clock that went backwards does not inflate it.
    QCOMPARE(ewma.lastValueMs(), 100.0);
    QCOMPARE(ewma.valueMs(kNowMs - 500), 100.0);
}

QTEST_APPLESS_MAIN(TestBalancer)
#include "TestBalancer.moc"
