#include "UpstreamStatus.h"

#include <algorithm>

#include "engine/config/GatewayConfig.h"
#include "engine/profile/Values.h"

namespace gatehouse::engine {

namespace {

QString circuitName(const CompiledUpstream &upstream)
{
    if (!upstream.circuitBreaker) {
        return QStringLiteral("none");
    }
    switch (upstream.state->breaker.state()) {
    case CircuitBreaker::State::Closed:
        break;
    case CircuitBreaker::State::Open:
        return QStringLiteral("open");
    case CircuitBreaker::State::HalfOpen:
        return QStringLiteral("half_open");
    }
    return QStringLiteral("closed");
}

TargetStatus targetStatus(const CompiledUpstream &upstream, const CompiledTarget &target, qint64 nowMs)
{
    const TargetState &state = *target.state;
    TargetStatus out;
    out.url = target.url;
    out.weight = target.weight;
    out.checked = upstream.healthCheck.has_value();
    out.healthy = state.healthy.load(std::memory_order_relaxed);
    out.lastCheck = state.lastCheck();
    out.ejected = state.isEjected(nowMs);
    out.ejectedForMs = out.ejected ? state.ejectedUntilMs.load(std::memory_order_relaxed) - nowMs : 0;
    out.ejections = state.ejections.load(std::memory_order_relaxed);
    out.available = state.isAvailable(nowMs);
    out.inFlight = std::max(state.inFlight.load(std::memory_order_relaxed), 0);
    out.latencyMs = state.latency.valueMs(nowMs);
    out.requests = state.requests.load(std::memory_order_relaxed);
    out.failures = state.failures.load(std::memory_order_relaxed);
    return out;
}

} // namespace

QList<UpstreamStatus> upstreamStatus(const GatewayConfig &config, qint64 nowMs)
{
    QList<UpstreamStatus> result;
    for (const CompiledUpstream &upstream : config.upstreams) {
        UpstreamStatus status;
        status.name = upstream.name;
        status.balance = profile::balanceName(upstream.balance);
        status.circuit = circuitName(upstream);
        status.circuitOpenings = upstream.state->breaker.timesOpened();
        status.retriesRefused = upstream.state->retryBudget.retriesRefused();
        for (const CompiledTarget &target : upstream.targets) {
            status.targets.append(targetStatus(upstream, target, nowMs));
        }
        result.append(status);
    }
    return result;
}

} // namespace gatehouse::engine
