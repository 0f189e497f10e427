#include "LoadBalanceStage.h"

#include <QVarLengthArray>

#include "engine/auth/Claims.h"
#include "engine/base/SteadyClock.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/upstream/StableHash.h"

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

bool LoadBalanceStage::pickTarget(RequestContext &ctx, qint64 nowMs)
{
    const CompiledUpstream &upstream = *ctx.upstream;
    const qsizetype count = upstream.targets.size();
    QVarLengthArray<bool, 16> eligible(count);
    bool untriedLeft = false;
    for (qsizetype i = 0; i < count; ++i) {
        eligible[i] = upstream.targets.at(i).state->isAvailable(nowMs) && !ctx.triedTargets.contains(int(i));
        untriedLeft = untriedLeft || eligible[i];
    }
    if (!untriedLeft) {
        // Every available target was tried: a retry may go back to one of them.
        for (qsizetype i = 0; i < count; ++i) {
            eligible[i] = upstream.targets.at(i).state->isAvailable(nowMs);
        }
    }
    const PickRequest request { std::span<const bool>(eligible.constData(), size_t(count)), ctx.balanceKey, nowMs };
    const int index = upstream.balancers.at(size_t(ctx.workerIndex))->pick(request);
    ctx.targetIndex = index;
    if (index >= 0) {
        ctx.triedTargets.append(index);
    }
    return index >= 0;
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
    if (pickTarget(ctx, now)) {
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
