#include "Gcra.h"

#include <algorithm>

namespace gatehouse::engine {

namespace {

constexpr qint64 kNsPerMs = 1'000'000;
constexpr qint64 kNsPerSecond = 1'000'000'000;

} // namespace

Gcra::Gcra(qint64 requests, std::chrono::milliseconds per, qint64 burst)
{
    requests = std::max<qint64>(requests, 1);
    m_limit = requests + std::max<qint64>(burst, 0);
    const qint64 perNs = per.count() >= kMaxToleranceNs / kNsPerMs ? kMaxToleranceNs
                                                                    : std::max<qint64>(per.count(), 1) * kNsPerMs;
    // Divisions only: capacity × T is never formed before it is known to fit.
    m_intervalNs = std::clamp<qint64>(perNs / requests, 1, std::max<qint64>(kMaxToleranceNs / m_limit, 1));
    m_toleranceNs = m_limit * m_intervalNs;
}

Gcra::Result Gcra::check(qint64 tatNs, qint64 nowNs) const
{
    // How far the TAT runs ahead of now: the part of the bucket in use, in time. Beyond the
    // tolerance only after a reload lowered the limit or a clock stepped back; it then drains.
    const qint64 backlogNs = std::max<qint64>(tatNs - nowNs, 0);
    Result result;
    qint64 usedNs = backlogNs;
    if (backlogNs + m_intervalNs <= m_toleranceNs) {
        usedNs = backlogNs + m_intervalNs;
        result.decision.outcome = RateLimitDecision::Outcome::Allowed;
        result.tatNs = nowNs + usedNs;
    } else {
        result.decision.outcome = RateLimitDecision::Outcome::Limited;
        result.tatNs = tatNs;
    }
    result.decision.limit = m_limit;
    result.decision.remaining = std::max<qint64>(m_toleranceNs - usedNs, 0) / m_intervalNs;
    // One more fits once usedNs + T <= tolerance, i.e. after usedNs + T - tolerance.
    const qint64 waitNs = usedNs + m_intervalNs - m_toleranceNs;
    result.decision.resetSeconds = waitNs <= 0 ? 0 : (waitNs + kNsPerSecond - 1) / kNsPerSecond;
    return result;
}

} // namespace gatehouse::engine
