#pragma once

#include <chrono>

#include <QtGlobal>

namespace gatehouse::engine {

// What a rate-limit check answers, ready for the response headers (SPEC §3 and §6).
struct RateLimitDecision
{
    enum class Outcome {
        Allowed,
        Limited, // 429
        Unavailable, // the store could not be asked (Redis down): the caller fails open or closed
    };
    Outcome outcome = Outcome::Allowed;
    // RateLimit-Limit: the bucket's capacity, requests + burst. Not `requests`: Remaining can
    // reach requests + burst after a quiet spell, and Remaining above Limit would read as a bug
    // to clients (draft-ietf-httpapi-ratelimit-headers: Remaining never exceeds Limit).
    qint64 limit = 0;
    // RateLimit-Remaining: requests still allowed right after this one.
    qint64 remaining = 0;
    // RateLimit-Reset, and Retry-After on a 429: whole seconds, rounded up, until one more
    // request is allowed (SPEC §6). 0 while remaining > 0. Meaningless when Unavailable.
    qint64 resetSeconds = 0;

    bool allowed() const { return outcome == Outcome::Allowed; }
};

// The Generic Cell Rate Algorithm: a token bucket of capacity `requests + burst` refilled at
// `requests` per `per`, kept as one number per key, the theoretical arrival time (TAT). Each
// admitted request pushes the TAT one emission interval T = per / requests further; a request
// is admitted while the TAT stays within the tolerance (capacity × T) of now. A TAT in the
// past means a full bucket, so a store can drop it. No background refill, no float drift:
// everything is integer nanoseconds.
//
// T is rounded down to whole nanoseconds (at most 1 ns per request of extra allowance, and
// never less than the configured rate). The tolerance is capped at 2^52 ns (about 52 days) by
// shortening T, so every value fits the 53 exact bits a Redis Lua number has; only limits
// like "1 per year" are affected.
class Gcra final
{
public:
    // Values as validated by the profile reader: requests >= 1, per >= 1 ms, burst >= 0.
    Gcra(qint64 requests, std::chrono::milliseconds per, qint64 burst = 0);

    struct Result
    {
        RateLimitDecision decision;
        qint64 tatNs = 0; // the TAT to store; the one given when the request is refused
    };
    // `tatNs`: the stored TAT, or anything <= nowNs for a key never seen. Only tatNs - nowNs
    // matters, so any clock works as long as the TAT was made with the same one.
    Result check(qint64 tatNs, qint64 nowNs) const;

    qint64 limit() const { return m_limit; }
    qint64 intervalNs() const { return m_intervalNs; }
    qint64 toleranceNs() const { return m_toleranceNs; }

    static constexpr qint64 kMaxToleranceNs = qint64(1) << 52;

private:
    qint64 m_limit;
    qint64 m_intervalNs;
    qint64 m_toleranceNs;
};

} // namespace gatehouse::engine
