#pragma once

#include <chrono>

#include <QString>

#include "engine/ratelimit/RateLimitStore.h"
#include "engine/redis/RedisClient.h"

namespace gatehouse::engine {

// Buckets in Redis, shared by every gateway that names the same server: `store:
// redis://HOST:PORT[/DB]`. One Lua script per check reads the TAT, applies the GCRA and writes
// it back atomically, so gateways racing on a key never admit more than the bucket holds.
//
// The script takes "now" from the Redis server's TIME, not from the gateways: gateways on
// different machines (or a container with its own clock) would otherwise disagree on how
// far a TAT lies in the future, and the one with the slowest clock would get extra requests.
// The caller's nowNs is therefore ignored. Keys carry a PEXPIRE at their TAT, so an idle key
// vanishes exactly when its bucket is full again.
//
// Timeouts, backoff and connections are RedisClient's: the check answers later, on the calling
// worker's loop; Outcome::Unavailable when Redis cannot answer in time (or at once while the
// client backs off), and the caller fails open or closed.
class RedisRateLimitStore final : public RateLimitStore
{
public:
    explicit RedisRateLimitStore(const QString &url, std::chrono::milliseconds timeout = RedisClient::kDefaultTimeout);

    std::optional<RateLimitDecision> check(const RateLimit &limit, QByteArrayView key, qint64 nowNs,
                                           const Answer &later) override;
    const RedisClient &client() const { return m_client; }

private:
    RedisClient m_client;
    RedisScript m_script;
};

} // namespace gatehouse::engine
