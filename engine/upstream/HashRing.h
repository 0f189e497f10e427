#pragma once

#include <utility>
#include <vector>

#include <QByteArray>
#include <QList>

#include "engine/upstream/Balancer.h"

namespace gatehouse::engine {

// A ketama-style consistent-hash ring: each target gets points on a 64-bit circle in
// proportion to its weight (about 160 per target), placed by hashing the target's identity
// (its URL), so the same targets give the same ring in every process. A key belongs to the
// first point clockwise from its hash; removing one of N targets moves only that target's
// keys, about 1/N of them.
class HashRing final
{
public:
    static constexpr int kPointsPerTarget = 160;

    HashRing(const QList<QByteArray> &identities, const std::vector<int> &weights);
    // The first eligible target clockwise from `key`, or -1.
    int lookup(quint64 key, std::span<const bool> eligible) const;
    qsizetype size() const { return qsizetype(m_points.size()); }

private:
    std::vector<std::pair<quint64, int>> m_points; // sorted by position
};

// consistent_hash: the key comes from `hash_on` (see LoadBalanceStage).
class ConsistentHash final : public Balancer
{
public:
    explicit ConsistentHash(std::shared_ptr<const HashRing> ring);
    int pick(const PickRequest &request) override;

private:
    std::shared_ptr<const HashRing> m_ring;
};

} // namespace gatehouse::engine
