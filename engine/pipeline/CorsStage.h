#pragma once

#include "engine/http/HttpMessage.h"
#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Routes with `cors`: answers preflights itself (204, before auth: browsers send preflights
// without credentials), and marks every other answer — proxied or the gateway's own errors — with
// the allow headers when the Origin is allowed. A disallowed origin gets no CORS headers at all.
// Either way the answer varies by Origin.
class CorsStage final : public Stage
{
public:
    const char *name() const override { return "cors"; }
    StageResult onRequest(RequestContext &ctx) override;
};

// A browser's preflight: OPTIONS with Origin and Access-Control-Request-Method.
bool isCorsPreflight(const http::MessageHead &head);

} // namespace gatehouse::engine
