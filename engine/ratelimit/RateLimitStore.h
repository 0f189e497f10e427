#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>

#include "engine/ratelimit/Gcra.h"

namespace gatehouse::engine {

// One rate limit as a route applies it. `id` names its family of buckets: each route keeps its
// own buckets per key (SPEC §6), so the id should name both, e.g. "users/per-user". Buckets of
// different ids never mix; a reload that keeps the id keeps the buckets, even if the numbers
// change (the GCRA absorbs that).
struct RateLimit
{
    QByteArray id; // no NUL bytes
    Gcra gcra;
};

// Where the buckets live: one TAT per (limit id, key). Implementations are shared by every
// worker thread and safe to call from any of them.
class RateLimitStore
{
public:
    using Answer = std::function<void(const RateLimitDecision &)>;
    virtual ~RateLimitStore() = default;
    // Counts one request for `key` (a consumer, an address, a header value...) against
    // `limit`. `nowNs` is the caller's steady clock; a store shared between gateways may use
    // a clock of its own instead (see RedisRateLimitStore).
    //
    // The decision, when the store has it at once: always in process, and Outcome::Unavailable
    // from a shared store that cannot be asked now. Otherwise nothing: the store asked, and
    // `later` gets the decision afterwards, once, on this thread (whose event loop must run).
    // `later` may outlive the caller's request, so it holds what it writes to.
    virtual std::optional<RateLimitDecision> check(const RateLimit &limit, QByteArrayView key, qint64 nowNs,
                                                   const Answer &later) = 0;
};

} // namespace gatehouse::engine
