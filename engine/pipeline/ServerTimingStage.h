#pragma once

#include <QByteArray>

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// `server_timing: true` (SPEC §2): "gateway;dur=0.214, upstream;dur=12.030" (W3C Server-Timing,
// milliseconds), so browser dev tools show where a request's time went. The gateway's share is
// everything but the upstream's answer to the attempt that served.
class ServerTimingStage final : public Stage
{
public:
    const char *name() const override { return "server_timing"; }
    void onResponse(RequestContext &ctx, http::ResponseHead &head) override;

    static QByteArray value(double totalMs, double upstreamMs);
};

} // namespace gatehouse::engine
