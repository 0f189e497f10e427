#include "LoadBalanceStage.h"

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

bool LoadBalanceStage::pickTarget(RequestContext &ctx)
{
    SmoothWeightedRoundRobin &balancer = ctx.upstream->balancers.at(size_t(ctx.workerIndex));
    const QList<int> &tried = ctx.triedTargets;
    int index = balancer.next([&tried](int i) { return tried.contains(i); });
    if (index < 0) {
        // Every target was tried: a retry may go back to one of them.
        index = balancer.next();
    }
    ctx.targetIndex = index;
    if (index >= 0) {
        ctx.triedTargets.append(index);
    }
    return index >= 0;
}

StageResult LoadBalanceStage::onRequest(RequestContext &ctx)
{
    if (pickTarget(ctx)) {
        return finish(StageResult::Continue);
    }
    ctx.response.status = 503;
    ctx.response.error = "no_healthy_target";
    ctx.response.message = QStringLiteral("upstream %1 has no target to send to").arg(ctx.upstream->name);
    return finish(StageResult::Respond);
}

} // namespace gatehouse::engine
