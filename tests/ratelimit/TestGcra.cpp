#include <chrono>

#include <QTest>

#include "engine/ratelimit/Gcra.h"

using gatehouse::engine::Gcra;
using gatehouse::engine::RateLimitDecision;
using Outcome = gatehouse::engine::RateLimitDecision::Outcome;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kStartNs = 5'000'000'000'000; // any steady-clock reading; tests only move forward
constexpr qint64 kMs = 1'000'000;
constexpr qint64 kSecond = 1'000'000'000;

// One key's bucket: the TAT a store would keep, checked at the times the test picks.
class Bucket
{
public:
    explicit Bucket(const Gcra &gcra)
        : m_gcra(gcra)
    {
    }
    RateLimitDecision check(qint64 nowNs)
    {
        const Gcra::Result result = m_gcra.check(m_tatNs, nowNs);
        m_tatNs = result.tatNs;
        return result.decision;
    }
    // Requests admitted in a row at one instant.
    int drain(qint64 nowNs, int atMost = 1'000'000)
    {
        int admitted = 0;
        while (admitted < atMost && check(nowNs).allowed()) {
            ++admitted;
        }
        return admitted;
    }

private:
    Gcra m_gcra;
    qint64 m_tatNs = 0;
};

} // namespace

class TestGcra : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exactBoundary()
    {
        Bucket bucket(Gcra(5, 1s, 0));
        for (int i = 1; i <= 5; ++i) {
            const RateLimitDecision decision = bucket.check(kStartNs);
            QCOMPARE(decision.outcome, Outcome::Allowed);
            QCOMPARE(decision.limit, 5);
            QCOMPARE(decision.remaining, 5 - i);
            // One more is allowed right away until the fifth; then 200 ms → 1 s.
            QCOMPARE(decision.resetSeconds, i < 5 ? 0 : 1);
        }
        const RateLimitDecision sixth = bucket.check(kStartNs);
        QCOMPARE(sixth.outcome, Outcome::Limited);
        QCOMPARE(sixth.limit, 5);
        QCOMPARE(sixth.remaining, 0);
        QCOMPARE(sixth.resetSeconds, 1); // Retry-After
    }

    void capacityAtOneInstant_data()
    {
        QTest::addColumn<qint64>("requests");
        QTest::addColumn<qint64>("perMs");
        QTest::addColumn<qint64>("burst");
        QTest::addColumn<int>("capacity");
        QTest::newRow("5/s") << qint64(5) << qint64(1'000) << qint64(0) << 5;
        QTest::newRow("100/s+20") << qint64(100) << qint64(1'000) << qint64(20) << 120;
        QTest::newRow("3/s, T not whole") << qint64(3) << qint64(1'000) << qint64(0) << 3;
        QTest::newRow("7/250ms+3") << qint64(7) << qint64(250) << qint64(3) << 10;
        QTest::newRow("1/h") << qint64(1) << qint64(3'600'000) << qint64(0) << 1;
        QTest::newRow("100k/ms") << qint64(100'000) << qint64(1) << qint64(0) << 100'000;
    }
    void capacityAtOneInstant()
    {
        QFETCH(qint64, requests);
        QFETCH(qint64, perMs);
        QFETCH(qint64, burst);
        QFETCH(int, capacity);
        const Gcra gcra(requests, std::chrono::milliseconds(perMs), burst);
        QCOMPARE(gcra.limit(), capacity);
        Bucket bucket(gcra);
        QCOMPARE(bucket.drain(kStartNs), capacity);
        QCOMPARE(bucket.check(kStartNs).outcome, Outcome::Limited);
    }

    void burstAndPartialRefill()
    {
        Bucket bucket(Gcra(10, 1s, 5)); // T = 100 ms, capacity 15
        const RateLimitDecision first = bucket.check(kStartNs);
        QCOMPARE(first.limit, 15);
        QCOMPARE(first.remaining, 14);
        QCOMPARE(bucket.drain(kStartNs), 14);
        QCOMPARE(bucket.check(kStartNs + 99 * kMs).outcome, Outcome::Limited);
        const RateLimitDecision refilled = bucket.check(kStartNs + 100 * kMs);
        QCOMPARE(refilled.outcome, Outcome::Allowed);
        QCOMPARE(refilled.remaining, 0);
        QCOMPARE(refilled.resetSeconds, 1);
        QCOMPARE(bucket.drain(kStartNs + 450 * kMs), 3); // 350 ms more: three whole intervals
    }

    void refillAfterTimePasses()
    {
        Bucket bucket(Gcra(5, 1s, 0));
        QCOMPARE(bucket.drain(kStartNs), 5);
        const RateLimitDecision early = bucket.check(kStartNs + 199 * kMs);
        QCOMPARE(early.outcome, Outcome::Limited);
        QCOMPARE(early.resetSeconds, 1);
        QCOMPARE(bucket.check(kStartNs + 200 * kMs).outcome, Outcome::Allowed);
        // A full period after the last admission the bucket is full again, and never fuller.
        const RateLimitDecision later = bucket.check(kStartNs + 1'200 * kMs);
        QCOMPARE(later.remaining, 4);
        QCOMPARE(bucket.drain(kStartNs + 10 * kSecond), 5);
    }

    void resetCountsWholeSecondsUp()
    {
        Bucket bucket(Gcra(1, 10s, 0));
        const RateLimitDecision first = bucket.check(kStartNs);
        QCOMPARE(first.remaining, 0);
        QCOMPARE(first.resetSeconds, 10);
        QCOMPARE(bucket.check(kStartNs + 3 * kSecond).resetSeconds, 7);
        QCOMPARE(bucket.check(kStartNs + 9'500 * kMs).resetSeconds, 1);
        QCOMPARE(bucket.check(kStartNs + 9'999'999'999).resetSeconds, 1);
        QCOMPARE(bucket.check(kStartNs + 10 * kSecond).outcome, Outcome::Allowed);
    }

    void refusedRequestsDoNotCount()
    {
        const Gcra gcra(2, 1s, 0);
        const Gcra::Result drained = gcra.check(kStartNs + kSecond, kStartNs); // TAT 1 s ahead: empty
        QCOMPARE(drained.decision.outcome, Outcome::Limited);
        QCOMPARE(drained.tatNs, kStartNs + kSecond);
    }

    // Requests every millisecond for 100 s at 3/s: T = 333333333 ns (rounded down), and after
    // 100000 checks the n-th admission is still due at exactly (n - 3) × T, not a nanosecond off.
    void noDriftOverALongRun()
    {
        const Gcra gcra(3, 1s, 0);
        QCOMPARE(gcra.intervalNs(), 333'333'333);
        Bucket bucket(gcra);
        int admitted = 0;
        for (qint64 t = 0; t < 100 * kSecond; t += kMs) {
            admitted += bucket.check(kStartNs + t).allowed() ? 1 : 0;
        }
        QCOMPARE(admitted, 302); // the 303rd is due at 300 × T = 99.9999999 s
        QCOMPARE(bucket.check(kStartNs + 300 * gcra.intervalNs() - 1).outcome, Outcome::Limited);
        QCOMPARE(bucket.check(kStartNs + 300 * gcra.intervalNs()).outcome, Outcome::Allowed);
    }

    void independentKeys()
    {
        const Gcra gcra(5, 1s, 0);
        Bucket alice(gcra);
        Bucket bob(gcra);
        QCOMPARE(alice.drain(kStartNs), 5);
        const RateLimitDecision first = bob.check(kStartNs);
        QCOMPARE(first.outcome, Outcome::Allowed);
        QCOMPARE(first.remaining, 4);
        QCOMPARE(alice.check(kStartNs).outcome, Outcome::Limited);
    }

    // A reload may lower the limit while a bucket is fuller than the new capacity: refused
    // until it drains below, with sensible headers meanwhile.
    void lowerLimitDrains()
    {
        const Gcra before(10, 1s, 0);
        qint64 tatNs = 0;
        for (int i = 0; i < 10; ++i) {
            tatNs = before.check(tatNs, kStartNs).tatNs;
        }
        QCOMPARE(tatNs, kStartNs + kSecond);
        const Gcra after(2, 1s, 0); // T = 500 ms, tolerance 1 s
        const Gcra::Result refused = after.check(tatNs, kStartNs);
        QCOMPARE(refused.decision.outcome, Outcome::Limited);
        QCOMPARE(refused.decision.remaining, 0);
        QCOMPARE(refused.decision.resetSeconds, 1);
        QCOMPARE(after.check(tatNs, kStartNs + 499 * kMs).decision.outcome, Outcome::Limited);
        QCOMPARE(after.check(tatNs, kStartNs + 500 * kMs).decision.outcome, Outcome::Allowed);
    }

    // Only tatNs - nowNs matters: the Redis store replays the script's decision from the
    // backlog alone.
    void onlyTheBacklogMatters()
    {
        const Gcra gcra(7, 3s, 2);
        for (qint64 backlog : { qint64(0), gcra.intervalNs(), 5 * gcra.intervalNs() + 17, gcra.toleranceNs() }) {
            const Gcra::Result absolute = gcra.check(kStartNs + backlog, kStartNs);
            const Gcra::Result relative = gcra.check(backlog, 0);
            QCOMPARE(relative.decision.outcome, absolute.decision.outcome);
            QCOMPARE(relative.decision.remaining, absolute.decision.remaining);
            QCOMPARE(relative.decision.resetSeconds, absolute.decision.resetSeconds);
            QCOMPARE(relative.tatNs + kStartNs, absolute.tatNs);
        }
    }

    // Limits longer than ~52 days are shortened so every value fits a Lua number exactly.
    void toleranceIsCapped()
    {
        const Gcra yearly(1, std::chrono::hours(24 * 365), 0);
        QCOMPARE(yearly.toleranceNs(), Gcra::kMaxToleranceNs);
        QCOMPARE(yearly.intervalNs(), Gcra::kMaxToleranceNs);
        const Gcra wide(1'000'000'000, std::chrono::hours(24 * 365), 1'000'000'000);
        QVERIFY(wide.toleranceNs() <= Gcra::kMaxToleranceNs);
        QCOMPARE(wide.toleranceNs(), wide.limit() * wide.intervalNs());
        Bucket bucket(yearly);
        QCOMPARE(bucket.drain(kStartNs), 1);
        QCOMPARE(bucket.check(kStartNs).resetSeconds, (Gcra::kMaxToleranceNs + kSecond - 1) / kSecond);
    }
};

QTEST_APPLESS_MAIN(TestGcra)
#include "TestGcra.moc"
