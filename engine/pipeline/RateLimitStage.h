#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Routes with `rate_limit`: every listed limit counts the request and all must allow it; the
// tightest one gives the RateLimit-* headers (SPEC §3, §6). 429 with Retry-After when one is
// exhausted. A store that cannot be asked (Redis down) lets the request through, unless the
// limit says `fail: closed` (503).
//
// The pipeline runs it twice (SPEC §7.1): limits keyed by ip, header, route or global before JWT
// verification, so a flood of invalid tokens is throttled and costs no signature checks;
// `consumer` limits after it, when the token's subject is known. The second run keeps the
// headers of the first unless one of its limits is tighter.
//
// A shared store (Redis) answers later: the stage pauses for it, one limit at a time, and when
// the answer is in ctx.storeAnswers it runs again, counting only the limits not yet decided. The
// local store answers at once and never pauses.
class RateLimitStage final : public Stage
{
public:
    enum class Phase { BeforeAuth, AfterAuth };
    explicit RateLimitStage(Phase phase)
        : m_phase(phase)
    {
    }
    const char *name() const override { return m_phase == Phase::BeforeAuth ? "rate_limit" : "rate_limit_consumer"; }
    StageResult onRequest(RequestContext &ctx) override;

private:
    Phase m_phase;
};

} // namespace gatehouse::engine
