#pragma once

#include <memory>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include "engine/profile/Profile.h"
#include "engine/ratelimit/RateLimitStore.h"

namespace gatehouse::engine {

class LocalRateLimitStore;
class RedisRateLimitStore;

// The stores rate limits count in: one local store, one per Redis URL. Built with each snapshot
// from the previous one's, so a reload keeps every bucket and connection of the stores it still
// names, and lets go of the others.
class RateLimitStores final
{
public:
    explicit RateLimitStores(const RateLimitStores *previous);
    std::shared_ptr<RateLimitStore> storeFor(const QString &store);
    QList<std::shared_ptr<RedisRateLimitStore>> redisStores() const { return m_redis.values(); }

private:
    std::shared_ptr<LocalRateLimitStore> m_local;
    QHash<QString, std::shared_ptr<RedisRateLimitStore>> m_redis; // those named now
    QHash<QString, std::shared_ptr<RedisRateLimitStore>> m_previousRedis;
};

// One `rate_limit` entry of a route, compiled.
struct RouteRateLimit
{
    enum class Key { Consumer, Ip, Route, Header, Global };
    QString profile; // the rate-limit profile's name
    RateLimit limit; // its id keeps each route's buckets apart (SPEC §6); `global` shares them
    Key key = Key::Consumer;
    QByteArray header; // lower case, for Key::Header
    bool failClosed = false;
    std::shared_ptr<RateLimitStore> store;
};

RouteRateLimit compileRateLimit(const QString &route, const profile::RateLimitProfile &limit, RateLimitStores &stores);

} // namespace gatehouse::engine
