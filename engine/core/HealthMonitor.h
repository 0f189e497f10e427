#pragma once

#include <memory>
#include <vector>

#include <QObject>

#include "engine/config/GatewayConfig.h"

class QNetworkAccessManager;

namespace gatehouse::engine {

class HealthChecker;

// Runs the active health checks of a profile on the gateway's health thread: one checker per
// target of every upstream with a `health_check`, however many workers there are. A reload
// keeps the checkers (and their counts) of targets whose check did not change.
class HealthMonitor final : public QObject
{
    Q_OBJECT
public:
    HealthMonitor();
    ~HealthMonitor() override;

    // Queued from the gateway's thread.
    void apply(const std::shared_ptr<const GatewayConfig> &config);

private:
    std::unique_ptr<QNetworkAccessManager> m_network; // created on the health thread
    std::vector<std::unique_ptr<HealthChecker>> m_checkers;
};

} // namespace gatehouse::engine
