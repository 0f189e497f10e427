#include "LeastConnections.h"

#include <utility>

#include <QVarLengthArray>

#include "engine/upstream/TargetState.h"

namespace gatehouse::engine {

LeastConnections::LeastConnections(std::vector<BalancerTarget> targets)
    : m_targets(std::move(targets))
    , m_current(m_targets.size(), 0)
{
}

int LeastConnections::pick(const PickRequest &request)
{
    // in-flight/weight compared as cross products: no division, no rounding.
    QVarLengthArray<int, 16> tied;
    qint64 bestLoad = 0;
    int bestWeight = 1;
    for (int i = 0; i < int(m_targets.size()); ++i) {
        if (!request.eligible[size_t(i)]) {
            continue;
        }
        const qint64 load = m_targets[size_t(i)].state->inFlight.load(std::memory_order_relaxed);
        const int weight = m_targets[size_t(i)].weight;
        if (tied.isEmpty() || load * bestWeight < bestLoad * weight) {
            tied.clear();
            bestLoad = load;
            bestWeight = weight;
        } else if (load * bestWeight != bestLoad * weight) {
            continue;
        }
        tied.append(i);
    }
    if (tied.size() <= 1) {
        return tied.isEmpty() ? -1 : tied.first();
    }
    int best = -1;
    int total = 0;
    for (const int i : tied) {
        m_current[size_t(i)] += m_targets[size_t(i)].weight;
        total += m_targets[size_t(i)].weight;
        if (best < 0 || m_current[size_t(i)] > m_current[size_t(best)]) {
            best = i;
        }
    }
    m_current[size_t(best)] -= total;
    return best;
}

} // namespace gatehouse::engine
