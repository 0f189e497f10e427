#include "HashRing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/upstream/StableHash.h"

namespace gatehouse::engine {

HashRing::HashRing(const QList<QByteArray> &identities, const std::vector<int> &weights)
{
    const double totalWeight = std::accumulate(weights.begin(), weights.end(), 0.0);
    const double perWeight = totalWeight > 0 ? kPointsPerTarget * double(weights.size()) / totalWeight : 0;
    for (int target = 0; target < int(weights.size()); ++target) {
        const int points = std::max(1, int(std::lround(perWeight * weights[size_t(target)])));
        for (int point = 0; point < points; ++point) {
            const QByteArray label = identities.at(target) + '#' + QByteArray::number(point);
            m_points.emplace_back(stableHash(label), target);
        }
    }
    std::sort(m_points.begin(), m_points.end());
}

int HashRing::lookup(quint64 key, std::span<const bool> eligible) const
{
    if (m_points.empty()) {
        return -1;
    }
    auto it = std::lower_bound(m_points.begin(), m_points.end(), std::pair<quint64, int>(key, -1));
    for (size_t step = 0; step < m_points.size(); ++step, ++it) {
        if (it == m_points.end()) {
            it = m_points.begin();
        }
        if (eligible[size_t(it->second)]) {
            return it->second;
        }
    }
    return -1;
}

ConsistentHash::ConsistentHash(std::shared_ptr<const HashRing> ring)
    : m_ring(std::move(ring))
{
}

int ConsistentHash::pick(const PickRequest &request)
{
    return m_ring->lookup(request.key, request.eligible);
}

} // namespace gatehouse::engine
