#pragma once

#include "engine/http/ResponseHead.h"

namespace gatehouse::engine {

struct RequestContext;
namespace http {
struct MessageHead;
}

// The upstream's head as the response phase starts from it: its status and end-to-end headers.
// Hop-by-hop headers and Content-Length stay behind (the client connection frames the body
// itself); ctx.upstreamResponse points at `response` from here on.
http::ResponseHead takeInResponse(RequestContext &ctx, const http::MessageHead &response);

} // namespace gatehouse::engine
