#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// `redirect_https` listeners: every request is answered with a 308 to the same host and target
// on the profile's HTTPS listener (308 rather than 301, so a POST stays a POST).
class RedirectHttpsStage final : public Stage
{
public:
    const char *name() const override { return "redirect_https"; }
    StageResult onRequest(RequestContext &ctx) override;
};

} // namespace gatehouse::engine
