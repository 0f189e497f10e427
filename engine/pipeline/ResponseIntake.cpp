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
        if (!hopByHop.contains(header.name) && !http::equalsIgnoringCase(header.name, "content-length")) {
            // Views, not shares: a share would make the parser allocate anew for the
            // connection's next answer instead of reusing its buffers.
            head.add(QByteArray::fromRawData(header.name.constData(), header.name.size()),
                     QByteArray::fromRawData(header.value.constData(), header.value.size()));
        }
    }
    return head;
}

} // namespace gatehouse::engine
