#pragma once

#include <vector>

#include "engine/upstream/Balancer.h"

namespace gatehouse::engine {

// nginx's ip_hash: the client IP's hash picks a slot among the targets' weights, so one client
// keeps its target while the targets stay the same. An unavailable pick is re-hashed (up to
// 20 times, as nginx), then the next eligible target in order is used. Changing the targets
// remaps most clients; use consistent_hash when that matters.
class IpHash final : public Balancer
{
public:
    explicit IpHash(std::vector<int> weights);
    int pick(const PickRequest &request) override;

private:
    std::vector<int> m_weights;
    qint64 m_totalWeight = 0;
};

} // namespace gatehouse::engine
