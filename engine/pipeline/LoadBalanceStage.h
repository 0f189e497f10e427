#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Picks the upstream target with the worker's own balancer; a retry calls pickTarget again
// and gets a target not tried yet when one exists.
class LoadBalanceStage final : public Stage
{
public:
    const char *name() const override { return "balance"; }
    StageResult onRequest(RequestContext &ctx) override;

    static bool pickTarget(RequestContext &ctx);
};

} // namespace gatehouse::engine
