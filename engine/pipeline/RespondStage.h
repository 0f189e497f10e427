#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Answers `respond` routes. It runs after auth, rate limits and faults, so a fixed answer is
// protected and limited like any proxied route.
class RespondStage final : public Stage
{
public:
    const char *name() const override { return "respond"; }
    StageResult onRequest(RequestContext &ctx) override;
};

} // namespace gatehouse::engine
