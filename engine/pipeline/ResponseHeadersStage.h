#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// The headers request-phase stages asked for on whatever answers (ctx.responseHeaders: CORS,
// RateLimit-*, Retry-After), replacing the upstream's copies of those the route answers for.
class ResponseHeadersStage final : public Stage
{
public:
    const char *name() const override { return "response_headers"; }
    void onResponse(RequestContext &ctx, http::ResponseHead &head) override;
};

} // namespace gatehouse::engine
