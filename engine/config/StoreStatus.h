#pragma once

#include <QList>
#include <QString>

namespace gatehouse::engine {

struct GatewayConfig;

// A shared store the running profile uses (Redis, for rate limits or revocations), as the app's
// status view and the admin API show it: an outage is visible, not just logged.
struct StoreStatus
{
    QString purpose; // "rate-limit store", "revocation store"
    QString url;
    bool available = true;
    QString lastError; // when unavailable
};

QList<StoreStatus> storeStatus(const GatewayConfig &config);

} // namespace gatehouse::engine
