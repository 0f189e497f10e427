#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Every answer carries the request's X-Request-ID (SPEC §3), the gateway's and never a copy an
// upstream made up: the id the client, the logs and the traffic view share.
class RequestIdStage final : public Stage
{
public:
    const char *name() const override { return "request_id"; }
    void onResponse(RequestContext &ctx, http::ResponseHead &head) override;
};

} // namespace gatehouse::engine
