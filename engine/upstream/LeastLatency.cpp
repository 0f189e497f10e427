#include "LeastLatency.h"

#include "engine/upstream/TargetState.h"

namespace gatehouse::engine {

namespace {
std::vector<int> weightsOf(const std::vector<BalancerTarget> &targets)
{
    std::vector<int> weights;
    for (const BalancerTarget &target : targets) {
        weights.push_back(target.weight);
    }
    return weights;
}
} // namespace

LeastLatency::LeastLatency(std::vector<BalancerTarget> targets)
    : m_targets(std::move(targets))
    , m_sampler(weightsOf(m_targets))
{
}

double LeastLatency::cost(int index, qint64 nowMs) const
{
    const BalancerTarget &target = m_targets[size_t(index)];
    const int inFlight = target.state->inFlight.load(std::memory_order_relaxed);
    const double latency = target.state->latency.valueMs(nowMs);
    if (!target.state->latency.hasSamples() && inFlight > 0) {
        return kUnmeasuredPenaltyMs + inFlight;
    }
    return latency * (inFlight + 1) / target.weight;
}

int LeastLatency::pick(const PickRequest &request)
{
    const int first = m_sampler.sample(request.eligible);
    if (first < 0) {
        return -1;
    }
    const int second = m_sampler.sample(request.eligible, first);
    if (second < 0) {
        return first;
    }
    return cost(second, request.nowMs) < cost(first, request.nowMs) ? second : first;
}

} // namespace gatehouse::engine
