#pragma once

#include "engine/profile/Profile.h"
#include "engine/upstream/RollingCounter.h"

namespace gatehouse::engine {

// Linkerd-style retry budget per upstream, shared by every worker: retries may add at most
// `percent` of the requests seen over `window`, plus `min_per_second` so a quiet upstream can
// still retry now and then. A failing upstream under load thus sees at most ~1.2x its
// traffic, never 1 + retries times. Lock-free; the time is a parameter for tests.
class RetryBudget final
{
public:
    // `shards`: one per worker thread; see RollingCounter.
    explicit RetryBudget(int shards = 1);
    void recordRequest(const profile::RetryBudget &config, qint64 nowMs, int shard = 0);
    // Whether a retry fits the budget now; when it does, it is counted.
    bool tryRetry(const profile::RetryBudget &config, qint64 nowMs, int shard = 0);
    quint64 retriesRefused() const { return m_refused.load(std::memory_order_relaxed); }

private:
    RollingCounter m_counts; // first: requests, second: retries
    std::atomic<quint64> m_refused { 0 };
};

} // namespace gatehouse::engine
