#include "RollingCounter.h"

#include <algorithm>

namespace gatehouse::engine {

qint64 RollingCounter::epochOf(qint64 nowMs, qint64 windowMs)
{
    const qint64 bucketMs = std::max<qint64>(windowMs / kBuckets, 1);
    return nowMs / bucketMs;
}

RollingCounter::RollingCounter(int shards)
    : m_shards(size_t(std::max(shards, 1)))
{
}

void RollingCounter::add(int shard, qint64 nowMs, qint64 windowMs, quint32 first, quint32 second)
{
    const qint64 epoch = epochOf(nowMs, windowMs);
    Bucket &bucket = m_shards[size_t(shard) % m_shards.size()].buckets[size_t(epoch % kBuckets)];
    qint64 seen = bucket.epoch.load(std::memory_order_acquire);
    if (seen != epoch && bucket.epoch.compare_exchange_strong(seen, epoch, std::memory_order_acq_rel)) {
        bucket.first.store(0, std::memory_order_relaxed);
        bucket.second.store(0, std::memory_order_relaxed);
    }
    bucket.first.fetch_add(first, std::memory_order_relaxed);
    bucket.second.fetch_add(second, std::memory_order_relaxed);
}

RollingCounter::Totals RollingCounter::totals(qint64 nowMs, qint64 windowMs) const
{
    const qint64 epoch = epochOf(nowMs, windowMs);
    Totals totals;
    for (const Shard &shard : m_shards) {
        for (const Bucket &bucket : shard.buckets) {
            const qint64 bucketEpoch = bucket.epoch.load(std::memory_order_acquire);
            if (bucketEpoch > epoch - kBuckets && bucketEpoch <= epoch) {
                totals.first += bucket.first.load(std::memory_order_relaxed);
                totals.second += bucket.second.load(std::memory_order_relaxed);
            }
        }
    }
    return totals;
}

void RollingCounter::reset()
{
    for (Shard &shard : m_shards) {
        for (Bucket &bucket : shard.buckets) {
            bucket.epoch.store(-1, std::memory_order_relaxed);
            bucket.first.store(0, std::memory_order_relaxed);
            bucket.second.store(0, std::memory_order_relaxed);
        }
    }
}

} // namespace gatehouse::engine
