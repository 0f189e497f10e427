#pragma once

namespace gatehouse::engine {

struct RequestContext;
namespace http {
struct MessageHead;
}

// Fills in what every stage reads from a request's head: the head itself, the normalised target,
// the host asked for, the request id (the client's X-Request-ID when sane), whether it opens a
// WebSocket. ctx.config must be set; nothing is refused here (TargetCheckStage does that).
void takeInRequest(RequestContext &ctx, const http::MessageHead &head);

} // namespace gatehouse::engine
