#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Chooses the route (SPEC §2 precedence); answers 404, or 405 with Allow.
class RouteMatchStage final : public Stage
{
public:
    const char *name() const override { return "route"; }
    StageResult onRequest(RequestContext &ctx) override;
};

} // namespace gatehouse::engine
