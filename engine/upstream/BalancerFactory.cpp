#include "Balancer.h"

#include "engine/upstream/HashRing.h"
#include "engine/upstream/IpHash.h"
#include "engine/upstream/LeastConnections.h"
#include "engine/upstream/LeastLatency.h"
#include "engine/upstream/RandomBalancer.h"
#include "engine/upstream/SmoothWeightedRoundRobin.h"

namespace gatehouse::engine {

std::unique_ptr<Balancer> makeBalancer(profile::Balance kind, const std::vector<BalancerTarget> &targets,
                                       std::shared_ptr<const HashRing> ring)
{
    std::vector<int> weights;
    for (const BalancerTarget &target : targets) {
        weights.push_back(target.weight);
    }
    switch (kind) {
    case profile::Balance::RoundRobin:
        break;
    case profile::Balance::LeastConnections:
        return std::make_unique<LeastConnections>(targets);
    case profile::Balance::IpHash:
        return std::make_unique<IpHash>(std::move(weights));
    case profile::Balance::ConsistentHash:
        return std::make_unique<ConsistentHash>(std::move(ring));
    case profile::Balance::Random:
        return std::make_unique<RandomBalancer>(std::move(weights));
    case profile::Balance::LeastLatency:
        return std::make_unique<LeastLatency>(targets);
    }
    return std::make_unique<SmoothWeightedRoundRobin>(std::move(weights));
}

} // namespace gatehouse::engine
