#include "ServerTimingStage.h"

#include <algorithm>
#include <cmath>

#include "engine/base/SteadyClock.h"
#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

namespace {

// "12.345": three decimals from whole microseconds, without the cost of double formatting on
// every response.
void appendMilliseconds(QByteArray &out, double ms)
{
    const qint64 us = std::llround(std::max(0.0, ms) * 1000.0);
    out.append(QByteArray::number(us / 1000)).append('.');
    const qint64 fraction = us % 1000;
    const char digits[3] = { char('0' + fraction / 100), char('0' + fraction / 10 % 10), char('0' + fraction % 10) };
    out.append(digits, 3);
}

} // namespace

QByteArray ServerTimingStage::value(double totalMs, double upstreamMs)
{
    QByteArray value;
    value.reserve(48);
    value.append("gateway;dur=");
    appendMilliseconds(value, totalMs - std::max(0.0, upstreamMs));
    if (upstreamMs >= 0) {
        value.append(", upstream;dur=");
        appendMilliseconds(value, upstreamMs);
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
