#pragma once

#include "engine/http/ResponseHead.h"

namespace gatehouse::engine {

struct RequestContext;

// Continue: the next stage runs. Respond: ctx.response is the answer. Pause: the stage waits for
// something (a timer, a store) and has handed ctx.resume to whatever ends the wait; the same
// stage runs again then, and sees in ctx what it waited for.
enum class StageResult { Continue, Respond, Pause };

// One step of the pipeline, in either phase or both. A stage never touches a socket: to answer,
// it fills ctx.response and returns Respond; in the response phase it edits the head on its way
// out (and may install ctx.bodyFilter). Configuration comes from ctx.config, compiled at load.
class Stage
{
public:
    virtual ~Stage() = default;
    virtual const char *name() const = 0;
    virtual StageResult onRequest(RequestContext &) { return StageResult::Continue; }
    // Over every answer, the upstream's (ctx.upstreamResponse) or the gateway's own (null there).
    virtual void onResponse(RequestContext &, http::ResponseHead &) { }
};

} // namespace gatehouse::engine
