#pragma once

#include <memory>
#include <vector>

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// The stages of both phases in their order (SPEC §6 and §7.1), one set per worker: stages keep
// worker-local state (random sources, balancer cursors) and need no lock.
class Pipeline final
{
public:
    enum class Outcome { Forward, Respond, Paused };

    Pipeline();
    ~Pipeline();
    Pipeline(const Pipeline &) = delete;
    Pipeline &operator=(const Pipeline &) = delete;

    // Runs the stages from ctx.nextStage on. Forward: the request goes to ctx.upstream's
    // ctx.targetIndex. Respond: ctx.response answers it. Paused: a stage waits; when it calls
    // ctx.resume, run() again goes on from that stage.
    Outcome run(RequestContext &ctx);
    // The response phase over `head`, whoever answered: the upstream (ctx.upstreamResponse) or
    // the gateway. It never pauses: everything it needs was decided in the request phase.
    void respond(RequestContext &ctx, http::ResponseHead &head);

    // The request stage called `name`, for tests that run one stage after the ones before it.
    int indexOf(const char *name) const;
    Stage &stage(int index) { return *m_stages.at(std::size_t(index)); }
    // The response stage called `name`, or nullptr.
    Stage *responseStage(const char *name) const;

private:
    std::vector<std::unique_ptr<Stage>> m_stages; // the request phase's, in order
    std::vector<std::unique_ptr<Stage>> m_responseOnly;
    std::vector<Stage *> m_responseStages; // the response phase's, in order
};

} // namespace gatehouse::engine
