#pragma once

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
    virtual ~RateLimitStore() = default;
    // Counts one request for `key` (a consumer, an address, a header value...) against
    // `limit`. `nowNs` is the caller's steady clock; a store shared between gateways may use
    // a clock of its own instead (see RedisRateLimitStore).
    virtual RateLimitDecision check(const RateLimit &limit, QByteArrayView key, qint64 nowNs) = 0;
};

} // namespace gatehouse::engine
