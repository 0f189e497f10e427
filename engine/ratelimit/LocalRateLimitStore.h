#pragma once

#include <array>
#include <mutex>

#include <QByteArray>
#include <QHash>

#include "engine/ratelimit/RateLimitStore.h"

namespace gatehouse::engine {

// Buckets in this process, shared by every worker. The (limit id, key) pairs are spread over
// kShards shards by a seeded hash, each with its own mutex and map, so workers contend only
// when they hit the same shard, and the lock is held for one hash lookup.
//
// Memory stays bounded under many keys (a scan, a spoofed header): a TAT in the past is a full
// bucket and is dropped without changing any answer, by a sweep of the shard at most every
// kSweepIntervalNs; and a shard that reaches its share of `maxEntries` drops its expired
// entries at once, then, if still above 7/8 full, the entries nearest to full. Those keys lose
// at most what they had used, only when more than maxEntries keys are active together.
class LocalRateLimitStore final : public RateLimitStore
{
public:
    static constexpr int kShards = 64;
    static constexpr qint64 kSweepIntervalNs = 10'000'000'000;

    explicit LocalRateLimitStore(qsizetype maxEntries = 1 << 17);
    RateLimitDecision check(const RateLimit &limit, QByteArrayView key, qint64 nowNs);
    std::optional<RateLimitDecision> check(const RateLimit &limit, QByteArrayView key, qint64 nowNs, const Answer &) override
    {
        return check(limit, key, nowNs);
    }
    // Entries held now, over all shards (for tests and status pages).
    qsizetype size() const;

private:
    struct alignas(64) Shard
    {
        mutable std::mutex mutex;
        QHash<QByteArray, qint64> tats; // (id NUL key) -> TAT, ns
        qint64 nextSweepNs = 0;
    };
    void makeRoom(Shard &shard, qint64 nowNs) const;

    const qsizetype m_maxPerShard;
    const size_t m_seed;
    std::array<Shard, kShards> m_shards;
};

} // namespace gatehouse::engine
