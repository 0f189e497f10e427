#include "TargetCheckStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

namespace {

// A refused target or host goes into the error message only up to this long.
constexpr qsizetype kQuotedBytes = 1024;

StageResult refuse(RequestContext &ctx, int status, const char *code, const QString &message)
{
    ctx.response.status = status;
    ctx.response.error = code;
    ctx.response.message = message;
    ctx.response.closeConnection = true;
    return StageResult::Respond;
}

} // namespace

StageResult TargetCheckStage::onRequest(RequestContext &ctx)
{
    if (ctx.head->method == "CONNECT") {
        return refuse(ctx, 405, "method_not_allowed", QStringLiteral("CONNECT is refused: Gatehouse is not a forward proxy"));
    }
    if (ctx.target.badPath) {
        return refuse(ctx, 400, "bad_path",
                      QStringLiteral("request path refused: it holds %1").arg(QString::fromLatin1(ctx.target.badPath)));
    }
    if (!ctx.target.valid) {
        return refuse(ctx, 400, "bad_request", QStringLiteral("malformed request target"));
    }
    const HostAllowList *allowed = ctx.listener ? ctx.listener->hosts.get() : nullptr;
    const bool hostAllowed = allowed && allowed->allows(ctx.host);
    if (ctx.target.absoluteForm && (!hostAllowed || ctx.target.port != ctx.listener->port)) {
        return refuse(ctx, 421, "misdirected_request",
                      QStringLiteral("absolute-form target for another host or port: Gatehouse is not an open proxy"));
    }
    if (!hostAllowed) {
        return refuse(ctx, 403, "host_not_allowed",
                      QStringLiteral("host '%1' is not served on this listener; add it to the listener's allowed_hosts")
                          .arg(QString::fromLatin1(ctx.host.left(kQuotedBytes))));
    }
    return StageResult::Continue;
}

} // namespace gatehouse::engine
