#include "RequestIntake.h"

#include "engine/http/HttpMessage.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/pipeline/RequestIds.h"

namespace gatehouse::engine {

namespace {

QByteArray hostWithoutPort(QByteArrayView host)
{
    if (host.startsWith('[')) {
        const qsizetype end = host.indexOf(']');
        return (end < 0 ? host : host.first(end + 1)).toByteArray().toLower();
    }
    const qsizetype colon = host.lastIndexOf(':');
    return (colon < 0 ? host : host.first(colon)).toByteArray().toLower();
}

} // namespace

void takeInRequest(RequestContext &ctx, const http::MessageHead &head)
{
    ctx.head = &head;
    ctx.nextStage = 0;
    const QByteArray clientId = head.header("x-request-id");
    ctx.requestId = isSaneRequestId(clientId) ? clientId : newRequestId();
    ctx.websocket = head.upgrade && head.method == "GET"
        && head.header("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
    ctx.target = parseRequestTarget(head.target, { ctx.config->limits.allowSemicolons });
    ctx.hostHeader = head.header("host");
    ctx.host = hostWithoutPort(ctx.target.absoluteForm ? QByteArrayView(ctx.target.authority) : QByteArrayView(ctx.hostHeader));
}

} // namespace gatehouse::engine
