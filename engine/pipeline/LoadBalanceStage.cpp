#include "LoadBalanceStage.h"

#include "engine/auth/Claims.h"
#include "engine/base/SteadyClock.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/upstream/StableHash.h"
#include "engine/upstream/TargetChoice.h"

namespace gatehouse::engine {

quint64 LoadBalanceStage::balanceKey(const RequestContext &ctx)
{
    const CompiledUpstream &upstream = *ctx.upstream;
    if (upstream.balance == profile::Balance::IpHash) {
        return stableHash(ctx.clientIp);
    }
    if (upstream.balance != profile::Balance::ConsistentHash) {
        return 0;
    }
    QByteArray key;
    switch (upstream.hashOn.kind) {
    case HashOn::Kind::Ip:
        break;
    case HashOn::Kind::Header:
        key = ctx.head->header(upstream.hashOn.name);
        break;
    case HashOn::Kind::Cookie:
        key = ctx.head->cookie(upstream.hashOn.name);
        break;
    case HashOn::Kind::Claim:
        key = claimHeaderValue(claimValue(ctx.claims, QString::fromUtf8(upstream.hashOn.name)));
        break;
    case HashOn::Kind::Path:
        key = ctx.target.path;
        break;
    }
    // A request without the key still sticks somewhere stable: to its client IP.
    return stableHash(key.isEmpty() ? ctx.clientIp : key);
}

StageResult LoadBalanceStage::onRequest(RequestContext &ctx)
{
    const CompiledUpstream &upstream = *ctx.upstream;
    const qint64 now = steadyNowMs();
    if (upstream.circuitBreaker) {
        ctx.breakerTicket = upstream.state->breaker.admit(*upstream.circuitBreaker, now);
        if (ctx.breakerTicket.admission == CircuitBreaker::Admission::Refused) {
            ctx.response.status = 503;
            ctx.response.error = "circuit_open";
            ctx.response.message = QStringLiteral("upstream %1 is failing; its circuit breaker is open").arg(upstream.name);
            return StageResult::Respond;
        }
    }
    ctx.balanceKey = balanceKey(ctx);
    ctx.targetIndex = chooseTarget(*upstream.balancers.at(size_t(ctx.workerIndex)), upstream.targetStates,
                                   ctx.triedTargets, ctx.balanceKey, now);
    if (ctx.targetIndex >= 0) {
        upstream.state->retryBudget.recordRequest(upstream.retryBudget, now, ctx.workerIndex);
        return StageResult::Continue;
    }
    upstream.state->breaker.abandon(ctx.breakerTicket);
    ctx.response.status = 503;
    ctx.response.error = "no_healthy_target";
    ctx.response.message = QStringLiteral("upstream %1 has no healthy target").arg(upstream.name);
    return StageResult::Respond;
}

} // namespace gatehouse::engine
