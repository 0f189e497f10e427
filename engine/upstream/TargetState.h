#pragma once

#include <atomic>
#include <mutex>

#include <QString>

#include "engine/upstream/PeakEwma.h"

namespace gatehouse::engine {

// The live state of one target of one upstream, shared by every worker, the health checker
// and whoever reads a snapshot. Counters are relaxed atomics: each is exact on its own, a
// snapshot of several may be a moment apart. The state outlives a profile reload that keeps
// the target, so health and ejections carry over.
struct TargetState
{
    std::atomic<int> inFlight { 0 };
    std::atomic<quint64> requests { 0 };
    std::atomic<quint64> failures { 0 };
    PeakEwma latency;

    // Active health check verdict; true until a checker says otherwise.
    std::atomic<bool> healthy { true };
    // Passive outlier ejection (steady-clock ms); see OutlierDetector.
    std::atomic<int> consecutiveFailures { 0 };
    std::atomic<qint64> ejectedUntilMs { 0 };
    std::atomic<int> ejections { 0 };
    std::atomic<qint64> lastEjectionEndMs { 0 };

    bool isEjected(qint64 nowMs) const { return ejectedUntilMs.load(std::memory_order_relaxed) > nowMs; }
    bool isAvailable(qint64 nowMs) const
    {
        return healthy.load(std::memory_order_relaxed) && !isEjected(nowMs);
    }

    // The last health check's outcome, for people ("200", "connection refused"); rarely written.
    void setLastCheck(const QString &text)
    {
        const std::lock_guard lock(m_checkMutex);
        m_lastCheck = text;
    }
    QString lastCheck() const
    {
        const std::lock_guard lock(m_checkMutex);
        return m_lastCheck;
    }

private:
    mutable std::mutex m_checkMutex;
    QString m_lastCheck;
};

} // namespace gatehouse::engine
