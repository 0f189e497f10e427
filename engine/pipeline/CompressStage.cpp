#include "CompressStage.h"

#include "engine/http/GzipStream.h"
#include "engine/pipeline/Compression.h"
#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

void CompressStage::onResponse(RequestContext &ctx, http::ResponseHead &head)
{
    const http::MessageHead *response = ctx.upstreamResponse;
    if (!response || !ctx.route || !ctx.route->compress || head.status < 200
        || !isCompressibleType(response->header("content-type"))) {
        return;
    }
    head.add("Vary", "Accept-Encoding");
    if (!shouldCompress(*ctx.head, *response)) {
        return;
    }
    ctx.bodyFilter = std::make_unique<http::GzipStream>();
    for (http::Header &header : head.headers) {
        if (http::equalsIgnoringCase(header.name, "etag") && !header.value.startsWith("W/")) {
            header.value.prepend("W/");
        }
    }
    head.add("Content-Encoding", "gzip");
}

} // namespace gatehouse::engine
