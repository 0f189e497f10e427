#pragma once

#include <memory>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include "engine/profile/Profile.h"
#include "engine/ratelimit/RateLimitStore.h"

namespace gatehouse::engine {

// The stores rate limits count in: one local store, one per Redis URL. Carried from snapshot to
// snapshot, so a reload keeps every bucket and connection of the stores it still names.
class RateLimitStores final
{
public:
    std::shared_ptr<RateLimitStore> storeFor(const QString &store);

private:
    std::shared_ptr<RateLimitStore> m_local;
    QHash<QString, std::shared_ptr<RateLimitStore>> m_redis;
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
