#include "RedirectHttpsStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

namespace {

// Host names, IPv4 and bracketed IPv6 literals only: the Host header goes into Location.
bool isPlainHost(QByteArrayView host)
{
    if (host.isEmpty() || host.size() > 255) {
        return false;
    }
    for (const char c : host) {
        // '_' too: Docker and Compose service names have it.
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'
            || c == '[' || c == ']' || c == ':';
        if (!ok) {
            return false;
        }
    }
    return true;
}

} // namespace

StageResult RedirectHttpsStage::onRequest(RequestContext &ctx)
{
    if (!ctx.listener || ctx.listener->redirectHttpsPort == 0) {
        return StageResult::Continue;
    }
    const QByteArray host = ctx.host.isEmpty() ? QByteArray("localhost") : ctx.host;
    if (!isPlainHost(host)) {
        ctx.response.status = 400;
        ctx.response.error = "bad_request";
        ctx.response.message = QStringLiteral("the Host header is not a host name");
        return StageResult::Respond;
    }
    QByteArray location = "https://" + host;
    if (ctx.listener->redirectHttpsPort != 443) {
        location += ':' + QByteArray::number(ctx.listener->redirectHttpsPort);
    }
    location += ctx.head->target.startsWith('/') ? ctx.head->target : ctx.target.path;
    if (!ctx.head->target.startsWith('/') && !ctx.target.query.isEmpty()) {
        location += '?' + ctx.target.query;
    }
    ctx.response.status = 308;
    ctx.response.error = "redirect_https";
    ctx.response.message = QStringLiteral("this listener serves HTTPS only; use ") + QString::fromLatin1(location);
    ctx.response.headers.append({ "Location", location });
    return StageResult::Respond;
}

} // namespace gatehouse::engine
