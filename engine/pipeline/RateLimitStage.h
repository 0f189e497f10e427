#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Routes with `rate_limit`: every listed limit counts the request and all must allow it; the
// tightest one gives the RateLimit-* headers (SPEC §3, §6). 429 with Retry-After when one is
// exhausted. A store that cannot be asked (Redis down) lets the request through, unless the
// limit says `fail: closed` (503).
class RateLimitStage final : public Stage
{
public:
    const char *name() const override { return "rate_limit"; }
    StageResult onRequest(RequestContext &ctx) override;
};

} // namespace gatehouse::engine
