#pragma once

#include <random>
#include <vector>

#include "engine/upstream/Balancer.h"

namespace gatehouse::engine {

// Weighted random choice among the eligible targets; also the sampler of LeastLatency.
class WeightedSampler final
{
public:
    explicit WeightedSampler(std::vector<int> weights);
    // An eligible index other than `skip` with probability proportional to weight, or -1.
    int sample(std::span<const bool> eligible, int skip = -1);

private:
    std::vector<int> m_weights;
    std::mt19937_64 m_rng;
};

class RandomBalancer final : public Balancer
{
public:
    explicit RandomBalancer(std::vector<int> weights);
    int pick(const PickRequest &request) override;

private:
    WeightedSampler m_sampler;
};

} // namespace gatehouse::engine
