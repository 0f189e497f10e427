#include "PeakEwma.h"

#include <algorithm>
#include <cmath>

namespace gatehouse::engine {

double PeakEwma::decayed(qint64 nowMs) const
{
    const double cost = m_costMs.load(std::memory_order_relaxed);
    const qint64 stamp = m_stampMs.load(std::memory_order_relaxed);
    const double elapsed = double(std::max<qint64>(nowMs - stamp, 0));
    return cost * std::exp(-elapsed / kTauMs);
}

void PeakEwma::observe(double sampleMs, qint64 nowMs)
{
    const double cost = m_costMs.load(std::memory_order_relaxed);
    const qint64 stamp = m_stampMs.load(std::memory_order_relaxed);
    double next = sampleMs;
    if (stamp != 0 && sampleMs < cost) {
        const double weight = std::exp(-double(std::max<qint64>(nowMs - stamp, 0)) / kTauMs);
        next = cost * weight + sampleMs * (1.0 - weight);
    }
    m_costMs.store(next, std::memory_order_relaxed);
    m_stampMs.store(std::max<qint64>(nowMs, 1), std::memory_order_relaxed);
}

double PeakEwma::valueMs(qint64 nowMs) const
{
    return decayed(nowMs);
}

} // namespace gatehouse::engine
