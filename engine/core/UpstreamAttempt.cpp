#include "UpstreamAttempt.h"

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/config/GatewayConfig.h"
#include "engine/upstream/OutlierDetector.h"

namespace gatehouse::engine {

void UpstreamAttempt::begin(const CompiledUpstream &upstream, int targetIndex, CircuitBreaker::Ticket ticket, int worker)
{
    abandon();
    m_upstream = &upstream;
    m_target = targetIndex;
    m_ticket = ticket;
    m_worker = worker;
    m_status = 0;
    m_latencyMs = -1;
    upstream.targets.at(targetIndex).state->inFlight.fetch_add(1, std::memory_order_relaxed);
}

void UpstreamAttempt::responded(int status, double latencyMs)
{
    m_status = status;
    m_latencyMs = latencyMs;
}

void UpstreamAttempt::finish(bool failure)
{
    if (!m_upstream) {
        return;
    }
    failure = failure || m_status >= 500;
    const double latencyMs = m_latencyMs;
    const CompiledUpstream &upstream = *m_upstream;
    const CompiledTarget &target = upstream.targets.at(m_target);
    TargetState &state = *target.state;
    const qint64 now = steadyNowMs();
    state.inFlight.fetch_sub(1, std::memory_order_relaxed);
    state.requests.fetch_add(1, std::memory_order_relaxed);
    if (failure) {
        state.failures.fetch_add(1, std::memory_order_relaxed);
    }
    if (latencyMs >= 0) {
        state.latency.observe(latencyMs, now);
    }
    if (upstream.outlier
        && OutlierDetector::record(upstream.targetStates, m_target, failure, *upstream.outlier, now,
                                   upstream.state->ejections)) {
        qCWarning(lcUpstream).noquote() << "upstream" << upstream.name << "target" << target.url << "ejected for"
                                        << (state.ejectedUntilMs.load() - now) << "ms after"
                                        << upstream.outlier->consecutiveFailures << "consecutive failures";
    }
    if (upstream.circuitBreaker) {
        CircuitBreaker &breaker = upstream.state->breaker;
        const bool wasOpen = breaker.state() == CircuitBreaker::State::Open;
        breaker.record(*upstream.circuitBreaker, m_ticket, failure, now, m_worker);
        const CircuitBreaker::State after = breaker.state();
        if (!wasOpen && after == CircuitBreaker::State::Open) {
            qCWarning(lcUpstream).noquote() << "upstream" << upstream.name << "circuit opened for"
                                            << upstream.circuitBreaker->openFor.count() << "ms";
        } else if (m_ticket.admission == CircuitBreaker::Admission::Probe && after == CircuitBreaker::State::Closed) {
            qCInfo(lcUpstream).noquote() << "upstream" << upstream.name << "circuit closed: probes succeeded";
        }
    }
    m_upstream = nullptr;
}

void UpstreamAttempt::abandon()
{
    if (!m_upstream) {
        return;
    }
    m_upstream->targets.at(m_target).state->inFlight.fetch_sub(1, std::memory_order_relaxed);
    m_upstream->state->breaker.abandon(m_ticket);
    m_upstream = nullptr;
}

} // namespace gatehouse::engine
