#include "LocalRateLimitStore.h"

#include <algorithm>
#include <vector>

#include <QRandomGenerator>

namespace gatehouse::engine {

namespace {

void dropExpired(QHash<QByteArray, qint64> &tats, qint64 nowNs)
{
    tats.removeIf([nowNs](const QHash<QByteArray, qint64>::iterator &it) { return it.value() <= nowNs; });
}

} // namespace

LocalRateLimitStore::LocalRateLimitStore(qsizetype maxEntries)
    : m_maxPerShard(std::max<qsizetype>(maxEntries / kShards, 8))
    // Seeded per store, so keys a client chooses cannot be aimed at one shard.
    , m_seed(size_t(QRandomGenerator::system()->generate64()))
{
}

RateLimitDecision LocalRateLimitStore::check(const RateLimit &limit, QByteArrayView key, qint64 nowNs)
{
    Q_ASSERT(!limit.id.contains('\0'));
    QByteArray entryKey;
    entryKey.reserve(limit.id.size() + 1 + key.size());
    entryKey.append(limit.id).append('\0').append(key);
    static_assert((kShards & (kShards - 1)) == 0, "shard index is a mask");
    Shard &shard = m_shards[qHash(entryKey, m_seed) & (kShards - 1)];

    const std::lock_guard lock(shard.mutex);
    if (nowNs >= shard.nextSweepNs) {
        dropExpired(shard.tats, nowNs);
        shard.nextSweepNs = nowNs + kSweepIntervalNs;
    }
    const auto it = shard.tats.find(entryKey);
    const Gcra::Result result = limit.gcra.check(it == shard.tats.end() ? nowNs : it.value(), nowNs);
    if (result.decision.allowed()) {
        if (it != shard.tats.end()) {
            it.value() = result.tatNs;
        } else {
            if (shard.tats.size() >= m_maxPerShard) {
                makeRoom(shard, nowNs);
            }
            shard.tats.insert(entryKey, result.tatNs);
        }
    }
    return result.decision;
}

void LocalRateLimitStore::makeRoom(Shard &shard, qint64 nowNs) const
{
    dropExpired(shard.tats, nowNs);
    const qsizetype target = m_maxPerShard - m_maxPerShard / 8;
    if (shard.tats.size() <= target) {
        return;
    }
    // Evict down to 7/8 in one pass so the next m_maxPerShard / 8 new keys insert without a
    // scan: O(1) per insert, amortised. The smallest TATs are the buckets closest to full.
    std::vector<qint64> tats(shard.tats.cbegin(), shard.tats.cend());
    const auto cut = tats.begin() + (shard.tats.size() - target - 1);
    std::nth_element(tats.begin(), cut, tats.end());
    const qint64 threshold = *cut;
    qsizetype excess = shard.tats.size() - target;
    shard.tats.removeIf([&excess, threshold](const QHash<QByteArray, qint64>::iterator &it) {
        if (excess > 0 && it.value() <= threshold) {
            --excess;
            return true;
        }
        return false;
    });
}

qsizetype LocalRateLimitStore::size() const
{
    qsizetype total = 0;
    for (const Shard &shard : m_shards) {
        const std::lock_guard lock(shard.mutex);
        total += shard.tats.size();
    }
    return total;
}

} // namespace gatehouse::engine
