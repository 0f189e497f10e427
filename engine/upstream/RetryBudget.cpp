#include "RetryBudget.h"

namespace gatehouse::engine {

RetryBudget::RetryBudget(int shards)
    : m_counts(shards)
{
}

void RetryBudget::recordRequest(const profile::RetryBudget &config, qint64 nowMs, int shard)
{
    m_counts.add(shard, nowMs, config.window.count(), 1, 0);
}

bool RetryBudget::tryRetry(const profile::RetryBudget &config, qint64 nowMs, int shard)
{
    const qint64 windowMs = config.window.count();
    const RollingCounter::Totals totals = m_counts.totals(nowMs, windowMs);
    const double allowed = double(totals.first) * config.percent / 100.0
        + double(config.minPerSecond) * double(windowMs) / 1000.0;
    if (double(totals.second) + 1.0 > allowed) {
        m_refused.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    m_counts.add(shard, nowMs, windowMs, 0, 1);
    return true;
}

} // namespace gatehouse::engine
