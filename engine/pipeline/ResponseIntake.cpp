#include "ResponseIntake.h"

#include "engine/http/HopByHop.h"
#include "engine/http/HttpMessage.h"
#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

http::ResponseHead takeInResponse(RequestContext &ctx, const http::MessageHead &response)
{
    ctx.upstreamResponse = &response;
    http::ResponseHead head;
    head.status = response.status;
    head.reason = response.reason;
    head.headers.reserve(response.headers.size() + 6);
    const http::HopByHop hopByHop(response);
    for (const http::Header &header : response.headers) {
        if (!hopByHop.contains(header.name) && header.name.compare("content-length", Qt::CaseInsensitive) != 0) {
            head.headers.append(header);
        }
    }
    return head;
}

} // namespace gatehouse::engine
