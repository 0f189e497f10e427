#include "RouteMatchStage.h"

#include "engine/pipeline/CorsStage.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/pipeline/Router.h"

namespace gatehouse::engine {

StageResult RouteMatchStage::onRequest(RequestContext &ctx)
{
    RouteDecision decision = matchRoute(*ctx.config, ctx.head->method, ctx.host, ctx.target.path, ctx.head->headers);
    if (isCorsPreflight(*ctx.head)) {
        // A preflight is about the method it announces: the route that will serve that method
        // answers it when it has `cors`, even if it does not list OPTIONS.
        const RouteDecision announced = matchRoute(*ctx.config, ctx.head->header("access-control-request-method"), ctx.host,
                                                   ctx.target.path, ctx.head->headers);
        if (announced.route && announced.route->cors) {
            decision = announced;
        }
    }
    if (!decision.route) {
        if (!decision.allowedMethods.isEmpty()) {
            ctx.response.status = 405;
            ctx.response.error = "method_not_allowed";
            ctx.response.message = QStringLiteral("method %1 is not allowed here")
                                       .arg(QString::fromLatin1(ctx.head->method));
            ctx.response.headers.append({ "Allow", decision.allowedMethods.join(", ") });
        } else {
            ctx.response.status = 404;
            ctx.response.error = "not_found";
            ctx.response.message = QStringLiteral("no route matches this request");
        }
        return StageResult::Respond;
    }
    ctx.route = decision.route;
    if (!decision.route->responds) {
        ctx.upstream = &ctx.config->upstreams.at(decision.route->upstream);
    }
    return StageResult::Continue;
}

} // namespace gatehouse::engine
