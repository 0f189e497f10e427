#include "ServerTimingStage.h"

#include <algorithm>

#include "engine/base/SteadyClock.h"
#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

QByteArray ServerTimingStage::value(double totalMs, double upstreamMs)
{
    QByteArray value = "gateway;dur=" + QByteArray::number(std::max(0.0, totalMs - std::max(0.0, upstreamMs)), 'f', 3);
    if (upstreamMs >= 0) {
        value += ", upstream;dur=" + QByteArray::number(upstreamMs, 'f', 3);
    }
    return value;
}

void ServerTimingStage::onResponse(RequestContext &ctx, http::ResponseHead &head)
{
    // No head read (a malformed request): there is no request to time. 1xx: not a final answer.
    if (!ctx.config || !ctx.config->serverTiming || !ctx.head || head.status < 200) {
        return;
    }
    head.add("Server-Timing", value(msBetween(ctx.start, std::chrono::steady_clock::now()), ctx.upstreamMs));
}

} // namespace gatehouse::engine
