#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Prepares what goes upstream: the rewritten path (strip_prefix) and the header block with
// hop-by-hop headers removed and X-Forwarded-*, X-Real-IP, X-Request-ID and traceparent set.
// Built once per request; each attempt only adds its request line and Host.
class ForwardStage final : public Stage
{
public:
    const char *name() const override { return "forward"; }
    StageResult onRequest(RequestContext &ctx) override;
};

} // namespace gatehouse::engine
