#pragma once

namespace gatehouse::engine {

struct RequestContext;

// Continue: the next stage runs. Respond: ctx.response is the answer. Pause: the stage waits for
// something (a timer, a store) and has handed ctx.resume to whatever ends the wait; the same
// stage runs again then, and sees in ctx what it waited for.
enum class StageResult { Continue, Respond, Pause };

// One step of the request pipeline. A stage never touches the socket: to answer, it fills
// ctx.response and returns Respond. Configuration comes from ctx.config, compiled at load.
class Stage
{
public:
    virtual ~Stage() = default;
    virtual const char *name() const = 0;
    virtual StageResult onRequest(RequestContext &ctx) = 0;
};

} // namespace gatehouse::engine
