#include "RollingCounter.h"

#include <algorithm>

namespace gatehouse::engine {

qint64 RollingCounter::epochOf(qint64 nowMs, qint64 windowMs)
{
    const qint64 bucketMs = std::max<qint64>(windowMs / kBuckets, 1);
    return nowMs / bucketMs;
}

void RollingCounter::add(qint64 nowMs, qint64 windowMs, quint32 first, quint32 second)
{
    const qint64 epoch = epochOf(nowMs, windowMs);
    Bucket &bucket = m_buckets[size_t(epoch % kBuckets)];
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
    for (const Bucket &bucket : m_buckets) {
        const qint64 bucketEpoch = bucket.epoch.load(std::memory_order_acquire);
        if (bucketEpoch > epoch - kBuckets && bucketEpoch <= epoch) {
            totals.first += bucket.first.load(std::memory_order_relaxed);
            totals.second += bucket.second.load(std::memory_order_relaxed);
        }
    }
    return totals;
}

void RollingCounter::reset()
{
    for (Bucket &bucket : m_buckets) {
        bucket.epoch.store(-1, std::memory_order_relaxed);
        bucket.first.store(0, std::memory_order_relaxed);
        bucket.second.store(0, std::memory_order_relaxed);
    }
}

} // namespace gatehouse::engine
