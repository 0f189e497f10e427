#pragma once

#include <array>
#include <atomic>
#include <vector>

#include <QtGlobal>

namespace gatehouse::engine {

// Two counts (e.g. requests and failures) over a sliding time window, kept in ten buckets of
// window/10 each. Every request adds to it, so each worker writes its own shard (its own cache
// lines: no ping-pong between cores on the request path) and a reader sums the shards. A
// bucket whose time has passed is reset by the first writer that notices; a count racing that
// reset may be lost, which a rate estimate can afford.
class RollingCounter final
{
public:
    struct Totals
    {
        quint64 first = 0;
        quint64 second = 0;
    };

    explicit RollingCounter(int shards = 1);
    void add(int shard, qint64 nowMs, qint64 windowMs, quint32 first, quint32 second);
    Totals totals(qint64 nowMs, qint64 windowMs) const;
    void reset();

private:
    static constexpr int kBuckets = 10;
    struct Bucket
    {
        std::atomic<qint64> epoch { -1 };
        std::atomic<quint32> first { 0 };
        std::atomic<quint32> second { 0 };
    };
    struct alignas(64) Shard
    {
        std::array<Bucket, kBuckets> buckets;
    };
    static qint64 epochOf(qint64 nowMs, qint64 windowMs);

    std::vector<Shard> m_shards;
};

} // namespace gatehouse::engine
