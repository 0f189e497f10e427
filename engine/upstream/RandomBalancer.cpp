#include "RandomBalancer.h"

#include <QRandomGenerator>

namespace gatehouse::engine {

WeightedSampler::WeightedSampler(std::vector<int> weights)
    : m_weights(std::move(weights))
    , m_rng(QRandomGenerator::global()->generate64())
{
}

int WeightedSampler::sample(std::span<const bool> eligible, int skip)
{
    qint64 total = 0;
    for (int i = 0; i < int(m_weights.size()); ++i) {
        if (eligible[size_t(i)] && i != skip) {
            total += m_weights[size_t(i)];
        }
    }
    if (total == 0) {
        return -1;
    }
    qint64 slot = qint64(m_rng() % quint64(total));
    for (int i = 0; i < int(m_weights.size()); ++i) {
        if (!eligible[size_t(i)] || i == skip) {
            continue;
        }
        if (slot < m_weights[size_t(i)]) {
            return i;
        }
        slot -= m_weights[size_t(i)];
    }
    return -1;
}

RandomBalancer::RandomBalancer(std::vector<int> weights)
    : m_sampler(std::move(weights))
{
}

int RandomBalancer::pick(const PickRequest &request)
{
    return m_sampler.sample(request.eligible);
}

} // namespace gatehouse::engine
