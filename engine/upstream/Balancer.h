#pragma once

#include <memory>
#include <span>
#include <vector>

#include <QByteArray>

#include "engine/profile/Profile.h"

namespace gatehouse::engine {

struct TargetState;
class HashRing;

// What a balancer knows about each target of its upstream, in profile order.
struct BalancerTarget
{
    int weight = 1;
    TargetState *state = nullptr; // live in-flight and latency, shared by every worker
};

struct PickRequest
{
    std::span<const bool> eligible; // eligible[i]: target i is available and not tried yet
    quint64 key = 0; // stable hash of the client IP (ip_hash) or of `hash_on` (consistent_hash)
    qint64 nowMs = 0;
};

// Chooses one target of an upstream per request. Each worker has its own instance, touched
// only by its thread, so a balancer's own state needs no lock; shared facts (in-flight,
// latency) come from TargetState atomics.
class Balancer
{
public:
    virtual ~Balancer() = default;
    // An eligible target index, or -1 when none is eligible.
    virtual int pick(const PickRequest &request) = 0;
};

// `ring` is the upstream's consistent-hash ring (built once, shared by all workers), needed
// only for Balance::ConsistentHash.
std::unique_ptr<Balancer> makeBalancer(profile::Balance kind, const std::vector<BalancerTarget> &targets,
                                       std::shared_ptr<const HashRing> ring);

} // namespace gatehouse::engine
