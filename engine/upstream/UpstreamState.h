#pragma once

#include <mutex>

#include "engine/upstream/CircuitBreaker.h"
#include "engine/upstream/RetryBudget.h"

namespace gatehouse::engine {

// The live state of one upstream as a whole, shared by every worker; like TargetState it
// outlives a reload that keeps the upstream's name.
struct UpstreamState
{
    explicit UpstreamState(int workers)
        : breaker(workers)
        , retryBudget(workers)
    {
    }
    CircuitBreaker breaker;
    RetryBudget retryBudget;
    std::mutex ejections; // see OutlierDetector::record
};

} // namespace gatehouse::engine
