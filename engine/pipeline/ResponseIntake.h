#pragma once

#include "engine/http/ResponseHead.h"

namespace gatehouse::engine {

struct RequestContext;
namespace http {
struct MessageHead;
}

// The upstream's head as the response phase starts from it: its status and end-to-end headers.
// Hop-by-hop headers and Content-Length stay behind (the client connection frames the body
// itself); ctx.upstreamResponse points at `response` from here on. The header values view
// `response`'s bytes (QByteArray::fromRawData): valid through the response phase, which runs at
// once; a stage that keeps one beyond it must deep-copy it.
http::ResponseHead takeInResponse(RequestContext &ctx, const http::MessageHead &response);

} // namespace gatehouse::engine
