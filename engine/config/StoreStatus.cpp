#include "StoreStatus.h"

#include "engine/config/GatewayConfig.h"
#include "engine/ratelimit/RedisRateLimitStore.h"

namespace gatehouse::engine {

namespace {

StoreStatus statusOf(const RedisClient &client)
{
    const bool available = client.available();
    return { client.purpose(), client.url(), available, available ? QString() : client.lastError() };
}

} // namespace

QList<StoreStatus> storeStatus(const GatewayConfig &config)
{
    QList<StoreStatus> out;
    for (const auto &store : config.rateLimitStores->redisStores()) {
        out.append(statusOf(store->client()));
    }
    for (const auto &store : config.redisRevocations) {
        out.append(statusOf(store->client()));
    }
    return out;
}

} // namespace gatehouse::engine
