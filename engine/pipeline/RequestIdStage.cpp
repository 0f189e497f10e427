#include "RequestIdStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

void RequestIdStage::onResponse(RequestContext &ctx, http::ResponseHead &head)
{
    head.remove("x-request-id");
    head.add("X-Request-ID", ctx.requestId);
}

} // namespace gatehouse::engine
