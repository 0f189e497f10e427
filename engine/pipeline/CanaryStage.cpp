#include "CanaryStage.h"

#include "engine/pipeline/RequestContext.h"
#include "engine/upstream/StableHash.h"

namespace gatehouse::engine {

namespace {

bool forcesStable(QByteArrayView value)
{
    return value == "0" || http::equalsIgnoringCase(value, "false")
        || http::equalsIgnoringCase(value, "no");
}

} // namespace

bool CanaryStage::inCanaryShare(QByteArrayView key, double percent)
{
    // Basis points, so 0.5% works as well as 10%.
    return double(stableHash(key) % 10'000) < percent * 100.0;
}

StageResult CanaryStage::onRequest(RequestContext &ctx)
{
    if (!ctx.route || !ctx.route->canary) {
        return StageResult::Continue;
    }
    const CompiledCanary &canary = *ctx.route->canary;
    bool useCanary = false;
    const QByteArray forced = canary.header.isEmpty() ? QByteArray() : ctx.head->header(canary.header);
    if (!forced.isNull()) {
        useCanary = !forcesStable(forced.trimmed());
    } else if (!ctx.consumer.isEmpty() && canary.users.contains(ctx.consumer)) {
        useCanary = true;
    } else {
        useCanary = inCanaryShare(ctx.consumer.isEmpty() ? ctx.clientIp : ctx.consumer, canary.percent);
    }
    ctx.canary = useCanary;
    if (useCanary) {
        ctx.upstream = &ctx.config->upstreams.at(size_t(canary.upstream));
    }
    return StageResult::Continue;
}

void CanaryStage::onResponse(RequestContext &ctx, http::ResponseHead &head)
{
    if (ctx.canary && ctx.upstreamResponse && head.status >= 200) {
        head.add("X-Gatehouse-Canary", *ctx.canary ? "canary" : "stable");
    }
}

} // namespace gatehouse::engine
