#include "ForwardStage.h"

#include "engine/http/HeadWriter.h"
#include "engine/http/HopByHop.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/pipeline/RequestIds.h"
#include "engine/pipeline/Router.h"

namespace gatehouse::engine {

namespace {

bool isRewrittenByUs(QByteArrayView name)
{
    static constexpr QByteArrayView names[] = { "host", "content-length", "expect", "x-forwarded-for",
                                         "x-forwarded-proto", "x-forwarded-host", "x-real-ip",
                                         "x-request-id", "traceparent" };
    for (const QByteArrayView candidate : names) {
        if (http::equalsIgnoringCase(name, candidate)) {
            return true;
        }
    }
    return false;
}

// SPEC §7.1: headers upstreams and frameworks trust to say where a request came from or which
// path it really has; only a proxy may set them. A name with '_' is read as its '-' twin by
// CGI-style servers (X-User_ID as X-User-ID), so such names are dropped, as nginx does.
bool isForgeable(QByteArrayView name)
{
    if (name.contains('_')) {
        return true;
    }
    static constexpr QByteArrayView names[] = { "forwarded", "x-forwarded-port", "x-forwarded-prefix", "x-original-url",
                                         "x-rewrite-url" };
    for (const QByteArrayView candidate : names) {
        if (http::equalsIgnoringCase(name, candidate)) {
            return true;
        }
    }
    return false;
}

// A client's own copy of a header the gateway sets from verified claims never goes upstream.
bool isClaimHeader(const RequestContext &ctx, QByteArrayView name)
{
    for (const QByteArray &claimHeader : ctx.config->claimHeaders) {
        if (http::equalsIgnoringCase(name, claimHeader)) {
            return true;
        }
    }
    return false;
}

} // namespace

StageResult ForwardStage::onRequest(RequestContext &ctx)
{
    const http::MessageHead &head = *ctx.head;
    ctx.upstreamPath = strippedPath(ctx.target.path, ctx.route->stripPrefix);
    if (!ctx.target.query.isEmpty()) {
        ctx.upstreamPath += '?';
        ctx.upstreamPath += ctx.target.query;
    }

    const http::HopByHop hopByHop(head);
    QByteArray &out = ctx.upstreamHeaders;
    out.reserve(512);
    QByteArray forwardedFor;
    for (const http::Header &header : head.headers) {
        if (http::equalsIgnoringCase(header.name, "x-forwarded-for")) {
            forwardedFor += forwardedFor.isEmpty() ? header.value : ", " + header.value;
            continue;
        }
        if (hopByHop.contains(header.name) || isRewrittenByUs(header.name) || isForgeable(header.name)
            || isClaimHeader(ctx, header.name)) {
            continue;
        }
        http::appendHeaderLine(out, header.name, header.value);
    }
    if (head.chunked) {
        out.append("Transfer-Encoding: chunked\r\n");
    } else if (head.contentLength >= 0) {
        http::appendHeaderLine(out, "Content-Length", QByteArray::number(head.contentLength));
    }
    forwardedFor += forwardedFor.isEmpty() ? ctx.clientIp : ", " + ctx.clientIp;
    http::appendHeaderLine(out, "X-Forwarded-For", forwardedFor);
    http::appendHeaderLine(out, "X-Forwarded-Proto", ctx.listener && ctx.listener->tls ? "https" : "http");
    if (!ctx.hostHeader.isEmpty()) {
        http::appendHeaderLine(out, "X-Forwarded-Host", ctx.hostHeader);
    }
    http::appendHeaderLine(out, "X-Real-IP", ctx.clientIp);
    for (const auto &[name, value] : ctx.claimHeaders) {
        http::appendHeaderLine(out, name, value);
    }
    if (ctx.websocket) {
        out.append("Connection: Upgrade\r\nUpgrade: websocket\r\n"); // hop-by-hop, but this hop asks too
    }
    http::appendHeaderLine(out, "X-Request-ID", ctx.requestId);
    http::appendHeaderLine(out, "traceparent", nextTraceparent(head.header("traceparent")));
    return StageResult::Continue;
}

} // namespace gatehouse::engine
