#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>
#include <vector>

#include <QTest>

#include "engine/ratelimit/LocalRateLimitStore.h"

using gatehouse::engine::Gcra;
using gatehouse::engine::LocalRateLimitStore;
using gatehouse::engine::RateLimit;
using gatehouse::engine::RateLimitDecision;
using Outcome = gatehouse::engine::RateLimitDecision::Outcome;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kStartNs = 5'000'000'000'000;
constexpr qint64 kSecond = 1'000'000'000;

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int drain(LocalRateLimitStore &store, const RateLimit &limit, QByteArrayView key, qint64 nowNs)
{
    int admitted = 0;
    while (admitted < 1'000'000 && store.check(limit, key, nowNs).allowed()) {
        ++admitted;
    }
    return admitted;
}

} // namespace

class TestLocalRateLimitStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exactBoundary()
    {
        LocalRateLimitStore store;
        const RateLimit limit { "users/per-user", Gcra(5, 1s, 0) };
        for (int i = 1; i <= 5; ++i) {
            const RateLimitDecision decision = store.check(limit, "alice", kStartNs);
            QCOMPARE(decision.outcome, Outcome::Allowed);
            QCOMPARE(decision.remaining, 5 - i);
        }
        const RateLimitDecision sixth = store.check(limit, "alice", kStartNs);
        QCOMPARE(sixth.outcome, Outcome::Limited);
        QCOMPARE(sixth.remaining, 0);
        QCOMPARE(sixth.resetSeconds, 1);
        QCOMPARE(store.check(limit, "alice", kStartNs + 200'000'000).outcome, Outcome::Allowed);
    }

    // Keys and limit ids each have their own buckets: another consumer, or the same consumer on
    // another route, is not affected.
    void independentKeysAndLimits()
    {
        LocalRateLimitStore store;
        const RateLimit users { "users/per-user", Gcra(3, 1s, 0) };
        const RateLimit orders { "orders/per-user", Gcra(3, 1s, 0) };
        QCOMPARE(drain(store, users, "alice", kStartNs), 3);
        QCOMPARE(drain(store, users, "bob", kStartNs), 3);
        QCOMPARE(drain(store, orders, "alice", kStartNs), 3);
        QCOMPARE(store.size(), 3);
    }

    // Threads hammering one key for 500 ms of real time: never more than the capacity plus one
    // request per interval over the span of clock readings the checks used.
    void threadsNeverOverAdmit_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("2 threads") << 2;
        QTest::newRow("4 threads") << 4;
    }
    void threadsNeverOverAdmit()
    {
        QFETCH(int, threads);
        LocalRateLimitStore store;
        const RateLimit limit { "hammer", Gcra(2'000, 1s, 100) };
        std::atomic<qint64> admitted { 0 };
        std::atomic<qint64> refused { 0 };
        std::atomic<qint64> firstNs { std::numeric_limits<qint64>::max() };
        std::atomic<qint64> lastNs { 0 };
        const qint64 endNs = steadyNowNs() + 500'000'000;
        std::vector<std::thread> workers;
        for (int i = 0; i < threads; ++i) {
            workers.emplace_back([&] {
                qint64 mine = 0;
                qint64 theirs = 0;
                qint64 first = std::numeric_limits<qint64>::max();
                qint64 last = 0;
                for (qint64 now = steadyNowNs(); now < endNs; now = steadyNowNs()) {
                    first = std::min(first, now);
                    last = std::max(last, now);
                    (store.check(limit, "one-key", now).allowed() ? mine : theirs) += 1;
                }
                admitted += mine;
                refused += theirs;
                qint64 seen = firstNs.load();
                while (first < seen && !firstNs.compare_exchange_weak(seen, first)) { }
                seen = lastNs.load();
                while (last > seen && !lastNs.compare_exchange_weak(seen, last)) { }
            });
        }
        for (std::thread &worker : workers) {
            worker.join();
        }
        const qint64 bound = limit.gcra.limit() + (lastNs - firstNs) / limit.gcra.intervalNs();
        qInfo("%d threads: %lld admitted, %lld refused, bound %lld", threads, qint64(admitted), qint64(refused), bound);
        QVERIFY(admitted <= bound);
        QVERIFY(refused > 0); // the bucket was really contended
        QVERIFY(admitted >= limit.gcra.limit()); // and it was not refusing everything
    }

    // Many distinct keys at once (a scan, a spoofed header) stay within maxEntries, and evict
    // the buckets nearest to full, not the newest; expired ones go with the next sweep.
    void memoryStaysBounded()
    {
        constexpr qsizetype kMaxEntries = LocalRateLimitStore::kShards * 100;
        LocalRateLimitStore store(kMaxEntries);
        const RateLimit limit { "per-ip", Gcra(1, 1s, 0) };
        qint64 now = kStartNs;
        for (int i = 0; i < 50'000; ++i) {
            now += 1'000; // 1 µs apart: the oldest keys have the smallest TATs
            QVERIFY(store.check(limit, QByteArray::number(i), now).allowed());
            if (store.size() > kMaxEntries) {
                QFAIL(qPrintable(QStringLiteral("%1 entries after %2 keys").arg(store.size()).arg(i + 1)));
            }
        }
        QCOMPARE(store.check(limit, QByteArray::number(49'999), now).outcome, Outcome::Limited);

        // Every bucket is full again after 1 s; each shard drops them on its next sweep.
        now += LocalRateLimitStore::kSweepIntervalNs + kSecond;
        for (int i = 0; i < 2'000; ++i) {
            QVERIFY(store.check(limit, "fresh-" + QByteArray::number(i), now).allowed());
        }
        QCOMPARE(store.size(), 2'000);
    }
};

QTEST_APPLESS_MAIN(TestLocalRateLimitStore)
#include "TestLocalRateLimitStore.moc"
