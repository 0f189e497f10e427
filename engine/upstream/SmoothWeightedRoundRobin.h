#pragma once

#include <vector>

#include "engine/upstream/Balancer.h"

namespace gatehouse::engine {

// nginx's smooth weighted round robin: weights 5,1,1 give a a b a c a a, spreading the heavy
// target out instead of sending it five requests in a row. Ineligible targets sit out the
// round, as in nginx.
class SmoothWeightedRoundRobin final : public Balancer
{
public:
    explicit SmoothWeightedRoundRobin(std::vector<int> weights);
    int pick(const PickRequest &request) override;

private:
    std::vector<int> m_weights;
    std::vector<int> m_current;
};

} // namespace gatehouse::engine
