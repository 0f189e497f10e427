#pragma once

#include <atomic>

#include <QtGlobal>

namespace gatehouse::engine {

// Peak-sensitive moving average of a target's latency (Finagle's and Linkerd's PeakEwma): a
// slower sample than the average replaces it at once, faster ones pull it down with a decay
// of `tau`, and reading it decays it toward zero, so a target that was slow once gets probed
// again after a while instead of being starved forever.
//
// Shared by all workers. Observations race benignly: two workers updating at the same moment
// may lose one sample, which an estimator can afford; no lock on the request path.
class PeakEwma final
{
public:
    static constexpr double kTauMs = 10'000.0;

    void observe(double sampleMs, qint64 nowMs);
    double valueMs(qint64 nowMs) const;
    double lastValueMs() const { return m_costMs.load(std::memory_order_relaxed); }
    bool hasSamples() const { return m_stampMs.load(std::memory_order_relaxed) != 0; }

private:
    double decayed(qint64 nowMs) const;

    std::atomic<double> m_costMs { 0.0 };
    std::atomic<qint64> m_stampMs { 0 };
};

} // namespace gatehouse::engine
