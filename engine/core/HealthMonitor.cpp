#include "HealthMonitor.h"

#include <algorithm>

#include <QNetworkAccessManager>
#include <QNetworkProxy>

#include "engine/upstream/HealthChecker.h"

namespace gatehouse::engine {

HealthMonitor::HealthMonitor() = default;

HealthMonitor::~HealthMonitor()
{
    m_checkers.clear(); // before the network manager their replies belong to
}

void HealthMonitor::apply(const std::shared_ptr<const GatewayConfig> &config)
{
    if (!m_network) {
        m_network = std::make_unique<QNetworkAccessManager>();
        // Checks go straight to the target, whatever http_proxy says.
        m_network->setProxy(QNetworkProxy::NoProxy);
    }
    std::vector<std::unique_ptr<HealthChecker>> next;
    for (const CompiledUpstream &upstream : config->upstreams) {
        if (!upstream.healthCheck) {
            continue;
        }
        for (const CompiledTarget &target : upstream.targets) {
            auto same = std::find_if(m_checkers.begin(), m_checkers.end(), [&](const auto &checker) {
                return checker && checker->checks(target.state.get(), target.url, *upstream.healthCheck, upstream.tlsSettings);
            });
            if (same != m_checkers.end()) {
                next.push_back(std::move(*same));
                continue;
            }
            next.push_back(std::make_unique<HealthChecker>(*m_network, target.state, upstream.name, target.url,
                                                           *upstream.healthCheck, upstream.tlsSettings));
            next.back()->start();
        }
    }
    m_checkers = std::move(next);
}

} // namespace gatehouse::engine
