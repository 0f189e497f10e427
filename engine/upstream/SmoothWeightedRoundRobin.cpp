#include "SmoothWeightedRoundRobin.h"

#include <utility>

namespace gatehouse::engine {

SmoothWeightedRoundRobin::SmoothWeightedRoundRobin(std::vector<int> weights)
    : m_weights(std::move(weights))
    , m_current(m_weights.size(), 0)
{
}

} // namespace gatehouse::engine
