#pragma once

#include "engine/upstream/CircuitBreaker.h"

namespace gatehouse::engine {

struct CompiledUpstream;

// One try of a request against one target: counts it in flight while it runs, then reports
// its outcome exactly once to the target (requests, failures, latency), to passive outlier
// ejection and to the circuit breaker. An attempt that ends without an outcome (the client
// left, the session closed) only leaves the in-flight count.
class UpstreamAttempt final
{
public:
    UpstreamAttempt() = default;
    ~UpstreamAttempt() { abandon(); }
    UpstreamAttempt(const UpstreamAttempt &) = delete;
    UpstreamAttempt &operator=(const UpstreamAttempt &) = delete;

    void begin(const CompiledUpstream &upstream, int targetIndex, CircuitBreaker::Ticket ticket, int worker);
    // The response head arrived after `latencyMs`; its status decides the outcome (5xx fails).
    void responded(int status, double latencyMs);
    bool respondedWithFailure() const { return m_status >= 500; }
    // The outcome: failed when `failure` (no or a broken answer) or the answer was a 5xx.
    void finish(bool failure);
    void abandon();
    bool active() const { return m_upstream != nullptr; }

private:
    const CompiledUpstream *m_upstream = nullptr;
    int m_target = -1;
    CircuitBreaker::Ticket m_ticket;
    int m_worker = 0;
    int m_status = 0;
    double m_latencyMs = -1;
};

} // namespace gatehouse::engine
