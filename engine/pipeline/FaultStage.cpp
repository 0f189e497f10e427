#include "FaultStage.h"

#include <QRandomGenerator>
#include <QTimer>

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

FaultStage::FaultStage()
    : m_rng(QRandomGenerator::global()->generate64())
{
}

bool FaultStage::roll(double percent)
{
    return percent >= 100.0 || (percent > 0.0 && std::uniform_real_distribution<double>(0.0, 100.0)(m_rng) < percent);
}

StageResult FaultStage::onRequest(RequestContext &ctx)
{
    if (!ctx.route || !ctx.route->fault) {
        return StageResult::Continue;
    }
    const profile::Fault &fault = *ctx.route->fault;
    if (!ctx.faultDelayed && fault.delay.count() > 0 && roll(fault.delayPercent)) {
        // The request waits here (its body unread in the socket), then this stage runs again.
        ctx.faultDelayed = true;
        QTimer::singleShot(fault.delay, Qt::PreciseTimer, [resume = ctx.resume] { resume(); });
        return StageResult::Pause;
    }
    if (fault.abortStatus > 0 && roll(fault.abortPercent)) {
        ctx.response.status = fault.abortStatus;
        ctx.response.error = "fault_injected";
        ctx.response.message = QStringLiteral("fault injected by route %1").arg(ctx.route->name);
        return StageResult::Respond;
    }
    return StageResult::Continue;
}

} // namespace gatehouse::engine
