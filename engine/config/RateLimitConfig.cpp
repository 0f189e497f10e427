#include "RateLimitConfig.h"

#include "engine/ratelimit/LocalRateLimitStore.h"
#include "engine/ratelimit/RedisRateLimitStore.h"

namespace gatehouse::engine {

RateLimitStores::RateLimitStores(const RateLimitStores *previous)
    : m_local(previous ? previous->m_local : std::make_shared<LocalRateLimitStore>())
    , m_previousRedis(previous ? previous->m_redis : QHash<QString, std::shared_ptr<RedisRateLimitStore>> {})
{
}

std::shared_ptr<RateLimitStore> RateLimitStores::storeFor(const QString &store)
{
    if (store == u"local") {
        return m_local;
    }
    std::shared_ptr<RedisRateLimitStore> &redis = m_redis[store];
    if (!redis) {
        redis = m_previousRedis.value(store);
    }
    if (!redis) {
        redis = std::make_shared<RedisRateLimitStore>(store);
    }
    return redis;
}

RouteRateLimit compileRateLimit(const QString &route, const profile::RateLimitProfile &limit, RateLimitStores &stores)
{
    RouteRateLimit out { limit.name, RateLimit { {}, Gcra(limit.requests, limit.per, limit.burst) }, RouteRateLimit::Key::Consumer,
                         {}, false, nullptr };
    if (limit.key == u"ip") {
        out.key = RouteRateLimit::Key::Ip;
    } else if (limit.key == u"route") {
        out.key = RouteRateLimit::Key::Route;
    } else if (limit.key == u"global") {
        out.key = RouteRateLimit::Key::Global;
    } else if (limit.key.startsWith(u"header:")) {
        out.key = RouteRateLimit::Key::Header;
        out.header = limit.key.mid(7).toLatin1().toLower();
    }
    // `global` is one bucket for every route naming the profile; anything else counts per route.
    out.limit.id = (out.key == RouteRateLimit::Key::Global ? QStringLiteral("*") : route).toUtf8() + '/' + limit.name.toUtf8();
    out.failClosed = limit.failClosed;
    out.store = stores.storeFor(limit.store);
    return out;
}

} // namespace gatehouse::engine
