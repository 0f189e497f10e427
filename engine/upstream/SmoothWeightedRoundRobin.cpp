#include "SmoothWeightedRoundRobin.h"

#include <utility>

namespace gatehouse::engine {

SmoothWeightedRoundRobin::SmoothWeightedRoundRobin(std::vector<int> weights)
    : m_weights(std::move(weights))
    , m_current(m_weights.size(), 0)
{
}

int SmoothWeightedRoundRobin::pick(const PickRequest &request)
{
    int best = -1;
    int total = 0;
    for (int i = 0; i < int(m_weights.size()); ++i) {
        if (!request.eligible[size_t(i)]) {
            continue;
        }
        m_current[size_t(i)] += m_weights[size_t(i)];
        total += m_weights[size_t(i)];
        if (best < 0 || m_current[size_t(i)] > m_current[size_t(best)]) {
            best = i;
        }
    }
    if (best >= 0) {
        m_current[size_t(best)] -= total;
    }
    return best;
}

} // namespace gatehouse::engine
