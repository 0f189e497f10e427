#include "RespondStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

StageResult RespondStage::onRequest(RequestContext &ctx)
{
    if (!ctx.route || !ctx.route->responds) {
        return StageResult::Continue;
    }
    ctx.response.status = ctx.route->respondStatus;
    ctx.response.headers = ctx.route->respondHeaders;
    ctx.response.body = ctx.route->respondBody;
    return StageResult::Respond;
}

} // namespace gatehouse::engine
