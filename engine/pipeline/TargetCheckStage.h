#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// SPEC §7.1: refuses, and closes the connection on, what the gateway must not serve at all:
// CONNECT (not a forward proxy), a path an upstream could read as another one (400 bad_path),
// a host the listener does not serve (403, DNS rebinding), an absolute-form target for another
// host or port (421, not an open proxy).
class TargetCheckStage final : public Stage
{
public:
    const char *name() const override { return "target"; }
    StageResult onRequest(RequestContext &ctx) override;
};

} // namespace gatehouse::engine
