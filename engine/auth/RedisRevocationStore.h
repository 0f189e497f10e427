#pragma once

#include <functional>

#include <QString>

#include "engine/auth/RevocationStore.h"
#include "engine/redis/RedisClient.h"

namespace gatehouse::engine {

// Revocations in Redis (`revocation_store: redis://…` on a JWT profile), so every gateway naming
// the server refuses a token any of them revoked: one key per token, `gatehouse:rv:<id>`, expiring
// with the token (EXAT its exp). Lookups that Redis cannot answer say "not revoked" (and the
// client logs the outage), like a rate limit failing open.
//
// Lookups are asynchronous (a worker never waits on Redis); revoke() blocks, and is only called
// off the workers (the admin API, the app).
class RedisRevocationStore final : public RevocationStore
{
public:
    explicit RedisRevocationStore(const QString &url);
    bool revoke(const RevocationEntry &entry, qint64 nowSeconds, QString *error) override;
    // Asks whether `id` is revoked; `answer` gets it later, once, on this thread (whose event loop
    // must run). False when Redis cannot be asked now: then it counts as not revoked, and
    // `answer` is never called.
    bool isRevoked(const QByteArray &id, std::function<void(bool revoked)> answer);
    const RedisClient &client() const { return m_client; }

private:
    RedisClient m_client;
};

} // namespace gatehouse::engine
