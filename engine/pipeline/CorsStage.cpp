#include "CorsStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

namespace {

// Built once: the headers are appended by sharing these buffers, not by allocating per request.
struct CorsHeaders
{
    const QByteArray vary = "Vary";
    const QByteArray varyOrigin = "Origin";
    const QByteArray varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    const QByteArray allowOrigin = "Access-Control-Allow-Origin";
    const QByteArray any = "*";
    const QByteArray allowCredentials = "Access-Control-Allow-Credentials";
    const QByteArray yes = "true";
    const QByteArray exposeHeaders = "Access-Control-Expose-Headers";
    // Headers a page may read from a cross-origin answer beyond the CORS-safelisted ones: the
    // gateway's own, which a developer wants to see in the browser.
    const QByteArray exposed = "X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After";
    const QByteArray allowMethods = "Access-Control-Allow-Methods";
    const QByteArray allowHeaders = "Access-Control-Allow-Headers";
    const QByteArray maxAge = "Access-Control-Max-Age";
    // The route answers for CORS: an upstream's own CORS headers would contradict ours.
    const QList<QByteArray> replaced { "access-control-allow-origin", "access-control-allow-credentials",
                                       "access-control-expose-headers", "vary" };
};

const CorsHeaders &corsHeaders()
{
    static const CorsHeaders headers;
    return headers;
}

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
    const CorsHeaders &h = corsHeaders();
    ctx.replacedResponseHeaders = h.replaced;
    const bool preflight = isCorsPreflight(*ctx.head);
    QList<std::pair<QByteArray, QByteArray>> &out = ctx.responseHeaders;
    out.append({ h.vary, preflight ? h.varyPreflight : h.varyOrigin });
    if (allowed) {
        out.append({ h.allowOrigin, policy.anyOrigin && !policy.credentials ? h.any : origin });
        if (policy.credentials) {
            out.append({ h.allowCredentials, h.yes });
        }
    }
    if (!preflight) {
        if (allowed) {
            out.append({ h.exposeHeaders, h.exposed });
        }
        return StageResult::Continue;
    }
    ctx.response.status = 204;
    if (allowed) {
        const QByteArray requested = ctx.head->header("access-control-request-headers");
        out.append({ h.allowMethods, policy.allowMethods });
        if (!policy.allowHeaders.isEmpty() || !requested.isEmpty()) {
            out.append({ h.allowHeaders, policy.allowHeaders.isEmpty() ? requested : policy.allowHeaders });
        }
        if (policy.maxAgeSeconds > 0) {
            out.append({ h.maxAge, QByteArray::number(policy.maxAgeSeconds) });
        }
    }
    return StageResult::Respond;
}

} // namespace gatehouse::engine
