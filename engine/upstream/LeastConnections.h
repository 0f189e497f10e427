#pragma once

#include <vector>

#include "engine/upstream/Balancer.h"

namespace gatehouse::engine {

// Fewest in-flight requests relative to weight, counted across all workers. Ties (an idle
// upstream has many) are broken by smooth weighted round robin among the tied targets, as
// nginx does, so neither the first target nor the heavy one takes every idle pick.
class LeastConnections final : public Balancer
{
public:
    explicit LeastConnections(std::vector<BalancerTarget> targets);
    int pick(const PickRequest &request) override;

private:
    std::vector<BalancerTarget> m_targets;
    std::vector<int> m_current;
};

} // namespace gatehouse::engine
