#pragma once

#include <vector>

#include "engine/upstream/Balancer.h"
#include "engine/upstream/RandomBalancer.h"

namespace gatehouse::engine {

// Power of two choices over peak-EWMA latency (Finagle's and Linkerd's p2c-peak-ewma, Kong's
// `latency`): sample two targets by weight, send to the one whose latency x (in-flight + 1) /
// weight is lower. Two random choices avoid the herd that "always the fastest" causes, and
// the peak-sensitive average backs off a target the moment it slows down.
class LeastLatency final : public Balancer
{
public:
    // A target with requests in flight but no latency sample yet costs this much, so a new
    // target takes one request at a time until it has answered once (Finagle's penalty).
    static constexpr double kUnmeasuredPenaltyMs = 1e9;

    explicit LeastLatency(std::vector<BalancerTarget> targets);
    int pick(const PickRequest &request) override;

private:
    double cost(int index, qint64 nowMs) const;

    std::vector<BalancerTarget> m_targets;
    WeightedSampler m_sampler;
};

} // namespace gatehouse::engine
