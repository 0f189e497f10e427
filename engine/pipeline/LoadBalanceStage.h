#pragma once

#include <QtGlobal>

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Asks the upstream's circuit breaker, then picks a target with the worker's own balancer
// among the available ones (healthy, not ejected), through chooseTarget as retries do.
class LoadBalanceStage final : public Stage
{
public:
    const char *name() const override { return "balance"; }
    StageResult onRequest(RequestContext &ctx) override;

    static quint64 balanceKey(const RequestContext &ctx);
};

} // namespace gatehouse::engine
