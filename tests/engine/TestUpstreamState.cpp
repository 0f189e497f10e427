#include <algorithm>
#include <array>
#include <mutex>

#include <QTest>

#include "engine/pipeline/CanaryStage.h"
#include "engine/profile/Profile.h"
#include "engine/upstream/CircuitBreaker.h"
#include "engine/upstream/OutlierDetector.h"
#include "engine/upstream/RetryBudget.h"
#include "engine/upstream/RollingCounter.h"
#include "engine/upstream/StableHash.h"
#include "engine/upstream/TargetState.h"

using gatehouse::engine::CanaryStage;
using gatehouse::engine::CircuitBreaker;
using gatehouse::engine::OutlierDetector;
using gatehouse::engine::RetryBudget;
using gatehouse::engine::RollingCounter;
using gatehouse::engine::stableHash;
using gatehouse::engine::TargetState;
using Admission = gatehouse::engine::CircuitBreaker::Admission;
using BreakerState = gatehouse::engine::CircuitBreaker::State;

namespace profile = gatehouse::profile;

namespace {

constexpr qint64 kStartMs = 1'000'000; // any steady-clock reading; the tests only move it forward

// --- circuit breaker -----------------------------------------------------------------------

profile::CircuitBreaker breakerConfig()
{
    profile::CircuitBreaker config;
    config.errorRatePercent = 50.0;
    config.minRequests = 10;
    config.window = profile::Duration { 10'000 };
    config.openFor = profile::Duration { 5'000 };
    return config;
}

// `count` requests admitted and finished at `nowMs`, as the worker does for each attempt.
void send(CircuitBreaker &breaker, int count, bool failure, qint64 nowMs)
{
    for (int i = 0; i < count; ++i) {
        const CircuitBreaker::Ticket ticket = breaker.admit(breakerConfig(), nowMs);
        breaker.record(breakerConfig(), ticket, failure, nowMs);
    }
}

// Opens a closed breaker at `nowMs`: min_requests failures.
void trip(CircuitBreaker &breaker, qint64 nowMs)
{
    send(breaker, breakerConfig().minRequests, true, nowMs);
}

Admission admitted(CircuitBreaker &breaker, qint64 nowMs)
{
    return breaker.admit(breakerConfig(), nowMs).admission;
}

// Admits up to `count` requests and returns the probes among them.
QList<CircuitBreaker::Ticket> admitProbeTickets(CircuitBreaker &breaker, int count, qint64 nowMs)
{
    QList<CircuitBreaker::Ticket> probes;
    for (int i = 0; i < count; ++i) {
        const CircuitBreaker::Ticket ticket = breaker.admit(breakerConfig(), nowMs);
        if (ticket.admission == Admission::Probe) {
            probes.append(ticket);
        }
    }
    return probes;
}

int admitProbes(CircuitBreaker &breaker, int count, qint64 nowMs)
{
    return int(admitProbeTickets(breaker, count, nowMs).size());
}

// --- outlier detection ---------------------------------------------------------------------

profile::Outlier outlierConfig()
{
    profile::Outlier config;
    config.consecutiveFailures = 3;
    config.ejectFor = profile::Duration { 10'000 };
    return config;
}

constexpr qint64 kEjectMs = 10'000;

// Three targets of one upstream with the lock that serialises their ejections.
struct Upstream
{
    std::array<TargetState, 3> states;
    std::array<TargetState *, 3> pointers { &states[0], &states[1], &states[2] };
    std::mutex decisions;

    bool record(int index, bool failure, qint64 nowMs)
    {
        return OutlierDetector::record(pointers, index, failure, outlierConfig(), nowMs, decisions);
    }
    // `count` failures in a row; whether one of them ejected the target.
    bool fail(int index, int count, qint64 nowMs)
    {
        bool ejected = false;
        for (int i = 0; i < count; ++i) {
            ejected = record(index, true, nowMs) || ejected;
        }
        return ejected;
    }
    // Ejects target `index` at `nowMs` and returns for how many ejection periods (0: not ejected).
    qint64 ejectionPeriods(int index, qint64 nowMs)
    {
        if (!fail(index, outlierConfig().consecutiveFailures, nowMs)) {
            return 0;
        }
        return (states[size_t(index)].ejectedUntilMs.load() - nowMs) / kEjectMs;
    }
};

// --- retry budget --------------------------------------------------------------------------

profile::RetryBudget budgetConfig(double percent, int minPerSecond)
{
    profile::RetryBudget config;
    config.percent = percent;
    config.minPerSecond = minPerSecond;
    config.window = profile::Duration { 10'000 };
    return config;
}

void recordRequests(RetryBudget &budget, const profile::RetryBudget &config, int count, qint64 nowMs)
{
    for (int i = 0; i < count; ++i) {
        budget.recordRequest(config, nowMs);
    }
}

// How many of `attempts` retries the budget lets through at `nowMs`.
int retriesAllowed(RetryBudget &budget, const profile::RetryBudget &config, int attempts, qint64 nowMs)
{
    int allowed = 0;
    for (int i = 0; i < attempts; ++i) {
        allowed += budget.tryRetry(config, nowMs) ? 1 : 0;
    }
    return allowed;
}

// --- canary ---------------------------------------------------------------------------------

QByteArray userId(int user)
{
    return "user-" + QByteArray::number(user);
}

int usersInCanary(double percent)
{
    int inside = 0;
    for (int user = 0; user < 1000; ++user) {
        inside += CanaryStage::inCanaryShare(userId(user), percent) ? 1 : 0;
    }
    return inside;
}

} // namespace

class TestUpstreamState : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void breakerStaysClosedUnderMinRequests();
    void breakerOpensAboveErrorRate_data();
    void breakerOpensAboveErrorRate();
    void breakerRefusesWhileOpen();
    void breakerHalfOpenAdmitsOnlyProbes();
    void breakerProbesSucceedingClose();
    void breakerFailedProbeReopens();
    void breakerClosesWithFreshWindow();
    void breakerAbandonFreesProbe();
    void breakerForgetsFailuresOutsideWindow_data();
    void breakerForgetsFailuresOutsideWindow();

    void rollingCounterCountsInsideWindow();
    void rollingCounterForgetsOldBuckets();
    void rollingCounterReset_data();
    void rollingCounterReset();

    void retryBudgetPercentOfRequests();
    void retryBudgetMinPerSecond();
    void retryBudgetSlides();

    void outlierEjectsAfterConsecutiveFailures();
    void outlierSuccessResetsCount();
    void outlierFailuresWhileEjectedDoNotCount();
    void outlierNeverEjectsLastAvailable_data();
    void outlierNeverEjectsLastAvailable();
    void outlierRepeatedEjectionLastsLonger_data();
    void outlierRepeatedEjectionLastsLonger();
    void outlierMultiplierIsCapped();

    void canaryShare_data();
    void canaryShare();
    void canaryShareIsStable();
    void canaryShareEdges();

    void stableHashKnownValues();
};

void TestUpstreamState::breakerStaysClosedUnderMinRequests()
{
    CircuitBreaker breaker;
    send(breaker, breakerConfig().minRequests - 1, true, kStartMs);
    QCOMPARE(breaker.state(), BreakerState::Closed);
    QCOMPARE(breaker.timesOpened(), quint64(0));
    QCOMPARE(breaker.window(breakerConfig(), kStartMs).first, quint64(breakerConfig().minRequests - 1));
    QCOMPARE(breaker.window(breakerConfig(), kStartMs).second, quint64(breakerConfig().minRequests - 1));
    QCOMPARE(admitted(breaker, kStartMs), Admission::Allowed);
}

void TestUpstreamState::breakerOpensAboveErrorRate_data()
{
    QTest::addColumn<int>("successes");
    QTest::addColumn<int>("failures");
    QTest::addColumn<bool>("opens");
    QTest::newRow("20% errors") << 8 << 2 << false;
    QTest::newRow("exactly 50%") << 5 << 5 << false;
    QTest::newRow("60% errors") << 4 << 6 << true;
    QTest::newRow("100% errors") << 0 << 10 << true;
    QTest::newRow("55% of 20") << 9 << 11 << true;
}

void TestUpstreamState::breakerOpensAboveErrorRate()
{
    QFETCH(int, successes);
    QFETCH(int, failures);
    QFETCH(bool, opens);
    CircuitBreaker breaker;
    send(breaker, successes, false, kStartMs);
    send(breaker, failures, true, kStartMs + 100);
    QCOMPARE(breaker.state(), opens ? BreakerState::Open : BreakerState::Closed);
    QCOMPARE(breaker.timesOpened(), quint64(opens ? 1 : 0));
    if (opens) {
        QCOMPARE(breaker.openedAtMs(), kStartMs + 100);
    }
}

void TestUpstreamState::breakerRefusesWhileOpen()
{
    CircuitBreaker breaker;
    trip(breaker, kStartMs);
    QCOMPARE(breaker.state(), BreakerState::Open);
    const qint64 openFor = breakerConfig().openFor.count();
    for (const qint64 after : { qint64(0), qint64(1), openFor / 2, openFor - 1 }) {
        QCOMPARE(admitted(breaker, kStartMs + after), Admission::Refused);
    }
    QCOMPARE(breaker.state(), BreakerState::Open);
}

void TestUpstreamState::breakerHalfOpenAdmitsOnlyProbes()
{
    CircuitBreaker breaker;
    trip(breaker, kStartMs);
    const qint64 halfOpenAt = kStartMs + breakerConfig().openFor.count();
    QCOMPARE(admitProbes(breaker, CircuitBreaker::kProbes, halfOpenAt), CircuitBreaker::kProbes);
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    QCOMPARE(admitProbes(breaker, 10, halfOpenAt + 1), 0);
    QCOMPARE(admitted(breaker, halfOpenAt + 2), Admission::Refused);
}

void TestUpstreamState::breakerProbesSucceedingClose()
{
    CircuitBreaker breaker;
    trip(breaker, kStartMs);
    const qint64 halfOpenAt = kStartMs + breakerConfig().openFor.count();
    const QList<CircuitBreaker::Ticket> probes = admitProbeTickets(breaker, CircuitBreaker::kProbes, halfOpenAt);
    QCOMPARE(probes.size(), CircuitBreaker::kProbes);
    for (const CircuitBreaker::Ticket &probe : probes) {
        QCOMPARE(breaker.state(), BreakerState::HalfOpen);
        breaker.record(breakerConfig(), probe, false, halfOpenAt + 10);
    }
    QCOMPARE(breaker.state(), BreakerState::Closed);
    QCOMPARE(admitted(breaker, halfOpenAt + 11), Admission::Allowed);
    // A fresh start: the failures that opened it are gone.
    QCOMPARE(breaker.window(breakerConfig(), halfOpenAt + 11).first, quint64(0));
    send(breaker, breakerConfig().minRequests - 1, true, halfOpenAt + 12);
    QCOMPARE(breaker.state(), BreakerState::Closed);
}

void TestUpstreamState::breakerFailedProbeReopens()
{
    CircuitBreaker breaker;
    trip(breaker, kStartMs);
    const qint64 openFor = breakerConfig().openFor.count();
    const qint64 halfOpenAt = kStartMs + openFor;
    const QList<CircuitBreaker::Ticket> probes = admitProbeTickets(breaker, CircuitBreaker::kProbes, halfOpenAt);
    QCOMPARE(probes.size(), CircuitBreaker::kProbes);
    breaker.record(breakerConfig(), probes.at(0), false, halfOpenAt + 5);
    breaker.record(breakerConfig(), probes.at(1), true, halfOpenAt + 10);
    QCOMPARE(breaker.state(), BreakerState::Open);
    QCOMPARE(breaker.timesOpened(), quint64(2));
    QCOMPARE(breaker.openedAtMs(), halfOpenAt + 10);
    // The last probe's late success changes nothing.
    breaker.record(breakerConfig(), probes.at(2), false, halfOpenAt + 20);
    QCOMPARE(breaker.state(), BreakerState::Open);
    // Another full open_for from the failed probe.
    QCOMPARE(admitted(breaker, halfOpenAt + 10 + openFor - 1), Admission::Refused);
    const CircuitBreaker::Ticket next = breaker.admit(breakerConfig(), halfOpenAt + 10 + openFor);
    QCOMPARE(next.admission, Admission::Probe);
    // Probes of the earlier round that end now count for nothing in this one: two late
    // successes and one fresh probe do not close it, nor does a late abandon free a slot.
    breaker.record(breakerConfig(), probes.at(0), false, halfOpenAt + 10 + openFor);
    breaker.record(breakerConfig(), probes.at(2), false, halfOpenAt + 10 + openFor);
    breaker.abandon(probes.at(1));
    breaker.record(breakerConfig(), next, false, halfOpenAt + 10 + openFor + 1);
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    QCOMPARE(admitProbes(breaker, 10, halfOpenAt + 10 + openFor + 2), CircuitBreaker::kProbes - 1);
}

void TestUpstreamState::breakerClosesWithFreshWindow()
{
    CircuitBreaker breaker;
    // Requests admitted while closed that only fail once it is half-open (slow timeouts).
    const int inFlight = breakerConfig().minRequests - 1;
    for (int i = 0; i < inFlight; ++i) {
        QCOMPARE(admitted(breaker, kStartMs), Admission::Allowed);
    }
    trip(breaker, kStartMs);
    const qint64 halfOpenAt = kStartMs + breakerConfig().openFor.count();
    const QList<CircuitBreaker::Ticket> probes = admitProbeTickets(breaker, CircuitBreaker::kProbes, halfOpenAt);
    for (int i = 0; i < inFlight; ++i) {
        breaker.record(breakerConfig(), {}, true, halfOpenAt + 1);
    }
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
    for (const CircuitBreaker::Ticket &probe : probes) {
        breaker.record(breakerConfig(), probe, false, halfOpenAt + 2);
    }
    QCOMPARE(breaker.state(), BreakerState::Closed);
    // Those late failures were from before; one new failure does not reopen it.
    send(breaker, 1, true, halfOpenAt + 3);
    QCOMPARE(breaker.state(), BreakerState::Closed);
}

void TestUpstreamState::breakerAbandonFreesProbe()
{
    CircuitBreaker breaker;
    trip(breaker, kStartMs);
    const qint64 halfOpenAt = kStartMs + breakerConfig().openFor.count();
    const QList<CircuitBreaker::Ticket> probes = admitProbeTickets(breaker, CircuitBreaker::kProbes, halfOpenAt);
    QCOMPARE(probes.size(), CircuitBreaker::kProbes);
    const CircuitBreaker::Ticket refused = breaker.admit(breakerConfig(), halfOpenAt);
    QCOMPARE(refused.admission, Admission::Refused);
    breaker.abandon(refused); // not a probe: frees nothing
    breaker.abandon({});
    QCOMPARE(admitted(breaker, halfOpenAt), Admission::Refused);
    breaker.abandon(probes.first());
    QCOMPARE(admitted(breaker, halfOpenAt), Admission::Probe);
    QCOMPARE(admitted(breaker, halfOpenAt), Admission::Refused);
    QCOMPARE(breaker.state(), BreakerState::HalfOpen);
}

void TestUpstreamState::breakerForgetsFailuresOutsideWindow_data()
{
    QTest::addColumn<qint64>("later");
    QTest::addColumn<bool>("opens");
    const qint64 window = breakerConfig().window.count();
    QTest::newRow("inside the window") << window / 2 << true;
    QTest::newRow("just inside") << window - window / 10 - 1 << true;
    QTest::newRow("window later") << window << false;
    QTest::newRow("long after") << 10 * window << false;
}

void TestUpstreamState::breakerForgetsFailuresOutsideWindow()
{
    QFETCH(qint64, later);
    QFETCH(bool, opens);
    CircuitBreaker breaker;
    send(breaker, breakerConfig().minRequests - 1, true, kStartMs);
    send(breaker, 1, true, kStartMs + later);
    QCOMPARE(breaker.state(), opens ? BreakerState::Open : BreakerState::Closed);
    if (!opens) {
        QCOMPARE(breaker.window(breakerConfig(), kStartMs + later).first, quint64(1));
    }
}

void TestUpstreamState::rollingCounterCountsInsideWindow()
{
    RollingCounter counter(2); // two workers' shards, summed by totals()
    const qint64 window = 10'000;
    counter.add(1, kStartMs, window, 1, 0);
    counter.add(0, kStartMs + 1'000, window, 2, 1);
    counter.add(1, kStartMs + 5'000, window, 3, 2);
    counter.add(0, kStartMs + 5'000, window, 1, 1);
    const RollingCounter::Totals totals = counter.totals(kStartMs + 5'000, window);
    QCOMPARE(totals.first, quint64(7));
    QCOMPARE(totals.second, quint64(4));
    // Only what happened by then.
    QCOMPARE(counter.totals(kStartMs + 1'000, window).first, quint64(3));
}

void TestUpstreamState::rollingCounterForgetsOldBuckets()
{
    RollingCounter counter(2); // two workers' shards, summed by totals()
    const qint64 window = 10'000; // buckets of 1 s; kStartMs is on a bucket boundary
    counter.add(1, kStartMs, window, 1, 1);
    counter.add(0, kStartMs + 5'000, window, 2, 0);
    QCOMPARE(counter.totals(kStartMs + 9'999, window).first, quint64(3));
    QCOMPARE(counter.totals(kStartMs + 10'000, window).first, quint64(2));
    QCOMPARE(counter.totals(kStartMs + 10'000, window).second, quint64(0));
    QCOMPARE(counter.totals(kStartMs + 15'000, window).first, quint64(0));
    // A write that reuses an old bucket's slot starts it from zero.
    counter.add(1, kStartMs + 10'000, window, 4, 0);
    QCOMPARE(counter.totals(kStartMs + 10'000, window).first, quint64(6));
    QCOMPARE(counter.totals(kStartMs + 15'000, window).first, quint64(4));
}

void TestUpstreamState::rollingCounterReset_data()
{
    QTest::addColumn<qint64>("nowMs");
    QTest::newRow("typical clock") << kStartMs;
    QTest::newRow("clock near zero") << qint64(0); // reset buckets sit just before epoch 0
}

void TestUpstreamState::rollingCounterReset()
{
    QFETCH(qint64, nowMs);
    RollingCounter counter(2); // two workers' shards, summed by totals()
    counter.add(0, nowMs, 10'000, 5, 3);
    counter.reset();
    QCOMPARE(counter.totals(nowMs, 10'000).first, quint64(0));
    QCOMPARE(counter.totals(nowMs, 10'000).second, quint64(0));
    counter.add(1, nowMs, 10'000, 1, 1);
    QCOMPARE(counter.totals(nowMs, 10'000).first, quint64(1));
    QCOMPARE(counter.totals(nowMs, 10'000).second, quint64(1));
}

void TestUpstreamState::retryBudgetPercentOfRequests()
{
    RetryBudget budget;
    const profile::RetryBudget config = budgetConfig(20.0, 0);
    QCOMPARE(retriesAllowed(budget, config, 1, kStartMs), 0); // no traffic, no minimum: no retry
    recordRequests(budget, config, 100, kStartMs);
    QCOMPARE(retriesAllowed(budget, config, 30, kStartMs + 100), 20);
    QCOMPARE(budget.retriesRefused(), quint64(1 + 10));
    // More traffic earns more retries.
    recordRequests(budget, config, 10, kStartMs + 200);
    QCOMPARE(retriesAllowed(budget, config, 5, kStartMs + 200), 2);
}

void TestUpstreamState::retryBudgetMinPerSecond()
{
    RetryBudget budget;
    const profile::RetryBudget config = budgetConfig(20.0, 5);
    const int minimum = 5 * int(config.window.count() / 1000);
    QCOMPARE(retriesAllowed(budget, config, minimum + 10, kStartMs), minimum);
    QCOMPARE(budget.retriesRefused(), quint64(10));
}

void TestUpstreamState::retryBudgetSlides()
{
    RetryBudget budget;
    const profile::RetryBudget config = budgetConfig(20.0, 1); // a minimum of 10 per window
    const qint64 window = config.window.count();
    QCOMPARE(retriesAllowed(budget, config, 15, kStartMs), 10);
    QCOMPARE(retriesAllowed(budget, config, 1, kStartMs + window - 1), 0);
    QCOMPARE(retriesAllowed(budget, config, 15, kStartMs + window), 10);

    // Requests slide out too: what they earned is gone with them.
    RetryBudget earned;
    const profile::RetryBudget percentOnly = budgetConfig(20.0, 0);
    recordRequests(earned, percentOnly, 100, kStartMs);
    QCOMPARE(retriesAllowed(earned, percentOnly, 1, kStartMs + window - 1), 1);
    QCOMPARE(retriesAllowed(earned, percentOnly, 1, kStartMs + window), 0);
}

void TestUpstreamState::outlierEjectsAfterConsecutiveFailures()
{
    Upstream upstream;
    QVERIFY(!upstream.fail(0, outlierConfig().consecutiveFailures - 1, kStartMs));
    QVERIFY(upstream.states[0].isAvailable(kStartMs));
    QVERIFY(upstream.record(0, true, kStartMs + 1));
    const TargetState &target = upstream.states[0];
    QCOMPARE(target.ejectedUntilMs.load(), kStartMs + 1 + kEjectMs);
    QVERIFY(!target.isAvailable(kStartMs + kEjectMs));
    QVERIFY(target.isAvailable(kStartMs + 1 + kEjectMs));
    QCOMPARE(target.consecutiveFailures.load(), 0);
    QCOMPARE(target.ejections.load(), 1);
    // The others are untouched.
    QVERIFY(upstream.states[1].isAvailable(kStartMs + 1));
}

void TestUpstreamState::outlierSuccessResetsCount()
{
    Upstream upstream;
    const int threshold = outlierConfig().consecutiveFailures;
    QVERIFY(!upstream.fail(0, threshold - 1, kStartMs));
    QVERIFY(!upstream.record(0, false, kStartMs));
    QCOMPARE(upstream.states[0].consecutiveFailures.load(), 0);
    QVERIFY(!upstream.fail(0, threshold - 1, kStartMs));
    QVERIFY(upstream.states[0].isAvailable(kStartMs));
    QVERIFY(upstream.fail(0, 1, kStartMs));
}

// Requests that were in flight when the target was ejected fail during the ejection; a target
// that comes back still gets its full consecutive_failures allowance.
void TestUpstreamState::outlierFailuresWhileEjectedDoNotCount()
{
    Upstream upstream;
    const int threshold = outlierConfig().consecutiveFailures;
    QVERIFY(upstream.fail(0, threshold, kStartMs));
    QVERIFY(!upstream.fail(0, threshold, kStartMs + 1));
    QCOMPARE(upstream.states[0].consecutiveFailures.load(), 0);
    const qint64 back = kStartMs + kEjectMs;
    QVERIFY(upstream.states[0].isAvailable(back));
    QVERIFY(!upstream.fail(0, threshold - 1, back));
    QVERIFY(upstream.states[0].isAvailable(back));
}

void TestUpstreamState::outlierNeverEjectsLastAvailable_data()
{
    QTest::addColumn<bool>("healthy1");
    QTest::addColumn<bool>("ejected1");
    QTest::addColumn<bool>("healthy2");
    QTest::addColumn<bool>("ejected2");
    QTest::addColumn<bool>("ejects");
    QTest::newRow("others available") << true << false << true << false << true;
    QTest::newRow("one other available") << true << true << true << false << true;
    QTest::newRow("others ejected") << true << true << true << true << false;
    QTest::newRow("others unhealthy") << false << false << false << false << false;
    QTest::newRow("one ejected, one unhealthy") << true << true << false << false << false;
}

void TestUpstreamState::outlierNeverEjectsLastAvailable()
{
    QFETCH(bool, healthy1);
    QFETCH(bool, ejected1);
    QFETCH(bool, healthy2);
    QFETCH(bool, ejected2);
    QFETCH(bool, ejects);
    Upstream upstream;
    upstream.states[1].healthy.store(healthy1);
    upstream.states[2].healthy.store(healthy2);
    upstream.states[1].ejectedUntilMs.store(ejected1 ? kStartMs + kEjectMs : 0);
    upstream.states[2].ejectedUntilMs.store(ejected2 ? kStartMs + kEjectMs : 0);
    QCOMPARE(upstream.fail(0, outlierConfig().consecutiveFailures, kStartMs), ejects);
    QCOMPARE(upstream.states[0].isAvailable(kStartMs), !ejects);
    // Once another target is back, the failing one can go.
    if (!ejects) {
        upstream.states[1].healthy.store(true);
        upstream.states[1].ejectedUntilMs.store(0);
        QVERIFY(upstream.fail(0, 1, kStartMs + 1));
    }
}

void TestUpstreamState::outlierRepeatedEjectionLastsLonger_data()
{
    // The second ejection starts `gap` ms after the first one ended; it lasted 1 period, the
    // second lasts 2; the third's length depends on how long the target stayed clean.
    QTest::addColumn<qint64>("gap");
    QTest::addColumn<qint64>("thirdPeriods");
    QTest::newRow("right after") << qint64(1) << qint64(3);
    QTest::newRow("one clean period") << kEjectMs << qint64(2);
    QTest::newRow("two clean periods") << 2 * kEjectMs << qint64(1);
    QTest::newRow("long clean") << 100 * kEjectMs << qint64(1);
}

void TestUpstreamState::outlierRepeatedEjectionLastsLonger()
{
    QFETCH(qint64, gap);
    QFETCH(qint64, thirdPeriods);
    Upstream upstream;
    QCOMPARE(upstream.ejectionPeriods(0, kStartMs), qint64(1));
    const qint64 secondAt = upstream.states[0].ejectedUntilMs.load() + 1;
    QCOMPARE(upstream.ejectionPeriods(0, secondAt), qint64(2));
    const qint64 thirdAt = upstream.states[0].ejectedUntilMs.load() + gap;
    QCOMPARE(upstream.ejectionPeriods(0, thirdAt), thirdPeriods);
}

void TestUpstreamState::outlierMultiplierIsCapped()
{
    Upstream upstream;
    qint64 nowMs = kStartMs;
    qint64 longest = 0;
    for (int ejection = 0; ejection < OutlierDetector::kMaxMultiplier + 5; ++ejection) {
        longest = std::max(longest, upstream.ejectionPeriods(0, nowMs));
        nowMs = upstream.states[0].ejectedUntilMs.load() + 1;
    }
    QCOMPARE(longest, qint64(OutlierDetector::kMaxMultiplier));
}

void TestUpstreamState::canaryShare_data()
{
    QTest::addColumn<double>("percent");
    QTest::newRow("10%") << 10.0;
    QTest::newRow("25%") << 25.0;
    QTest::newRow("50%") << 50.0;
}

void TestUpstreamState::canaryShare()
{
    QFETCH(double, percent);
    const int inside = usersInCanary(percent);
    qInfo().noquote() << "canary" << percent << "% ->" << inside / 10.0 << "% of 1000 users";
    QVERIFY2(qAbs(inside / 10.0 - percent) <= 5.0, qPrintable(QString::number(inside)));
}

void TestUpstreamState::canaryShareIsStable()
{
    for (int user = 0; user < 1000; ++user) {
        const bool first = CanaryStage::inCanaryShare(userId(user), 25.0);
        for (int again = 0; again < 10; ++again) {
            QCOMPARE(CanaryStage::inCanaryShare(userId(user), 25.0), first);
        }
        // Raising the percentage only adds users: nobody flips back to the stable side.
        if (CanaryStage::inCanaryShare(userId(user), 10.0)) {
            QVERIFY(first);
        }
    }
}

void TestUpstreamState::canaryShareEdges()
{
    QCOMPARE(usersInCanary(0.0), 0);
    QCOMPARE(usersInCanary(100.0), 1000);
    QVERIFY(!CanaryStage::inCanaryShare("", 0.0));
    QVERIFY(CanaryStage::inCanaryShare("", 100.0));
}

void TestUpstreamState::stableHashKnownValues()
{
    // Computed once. If these change, every ring, ip_hash and canary assignment reshuffles
    // across an upgrade: change the hash only on purpose.
    QCOMPARE(stableHash(""), 0xefd01f60ba992926ULL);
    QCOMPARE(stableHash("user-0"), 0x0c5db9020abd2642ULL);
    QCOMPARE(stableHash("10.0.0.1"), 0xc879e56ddc6c5c88ULL);
    QCOMPARE(stableHash("user-0", 7), 0x913d2ba8565991c1ULL);
    static_assert(stableHash("user-0") == 0x0c5db9020abd2642ULL, "usable at compile time");
}

QTEST_APPLESS_MAIN(TestUpstreamState)
#include "TestUpstreamState.moc"
