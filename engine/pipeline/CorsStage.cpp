#include "CorsStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

namespace {

// Headers a page may read from a cross-origin answer beyond the CORS-safelisted ones: the
// gateway's own, which a developer wants to see in the browser.
constexpr QByteArrayView kExposedHeaders = "X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After";

} // namespace

bool isCorsPreflight(const http::MessageHead &head)
{
    return head.method == "OPTIONS" && head.hasHeader("origin") && head.hasHeader("access-control-request-method");
}

StageResult CorsStage::onRequest(RequestContext &ctx)
{
    if (!ctx.route || !ctx.route->cors) {
        return StageResult::Continue;
    }
    const CorsPolicy &policy = *ctx.route->cors;
    const QByteArray origin = ctx.head->header("origin");
    const bool allowed = policy.allows(origin);
    // The route answers for CORS now: an upstream's own CORS headers would contradict ours.
    ctx.replacedResponseHeaders = { "access-control-allow-origin", "access-control-allow-credentials",
                                    "access-control-expose-headers", "vary" };
    const bool preflight = isCorsPreflight(*ctx.head);
    QList<std::pair<QByteArray, QByteArray>> &out = ctx.responseHeaders;
    out.append({ QByteArray("Vary"),
                 QByteArray(preflight ? "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" : "Origin") });
    if (allowed) {
        out.append({ QByteArray("Access-Control-Allow-Origin"), policy.anyOrigin && !policy.credentials ? QByteArray("*") : origin });
        if (policy.credentials) {
            out.append({ QByteArray("Access-Control-Allow-Credentials"), QByteArray("true") });
        }
    }
    if (!preflight) {
        if (allowed) {
            out.append({ "Access-Control-Expose-Headers", kExposedHeaders.toByteArray() });
        }
        return finish(StageResult::Continue);
    }
    ctx.response.status = 204;
    if (allowed) {
        const QByteArray requested = ctx.head->header("access-control-request-headers");
        out.append({ "Access-Control-Allow-Methods", policy.allowMethods });
        if (!policy.allowHeaders.isEmpty() || !requested.isEmpty()) {
            out.append({ "Access-Control-Allow-Headers", policy.allowHeaders.isEmpty() ? requested : policy.allowHeaders });
        }
        if (policy.maxAgeSeconds > 0) {
            out.append({ "Access-Control-Max-Age", QByteArray::number(policy.maxAgeSeconds) });
        }
    }
    return finish(StageResult::Respond);
}

} // namespace gatehouse::engine
