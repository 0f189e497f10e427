#include "Pipeline.h"

#include <cstring>

#include "engine/pipeline/CanaryStage.h"
#include "engine/pipeline/CorsStage.h"
#include "engine/pipeline/FaultStage.h"
#include "engine/pipeline/ForwardStage.h"
#include "engine/pipeline/JwtAuthStage.h"
#include "engine/pipeline/LoadBalanceStage.h"
#include "engine/pipeline/RateLimitStage.h"
#include "engine/pipeline/RedirectHttpsStage.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/pipeline/RespondStage.h"
#include "engine/pipeline/RouteMatchStage.h"
#include "engine/pipeline/TargetCheckStage.h"

namespace gatehouse::engine {

Pipeline::Pipeline()
{
    // A request the gateway must not serve at all (path tricks, foreign hosts) stops first.
    m_stages.push_back(std::make_unique<TargetCheckStage>());
    m_stages.push_back(std::make_unique<RedirectHttpsStage>());
    m_stages.push_back(std::make_unique<RouteMatchStage>());
    m_stages.push_back(std::make_unique<CorsStage>());
    // Limits that need no verified token first (SPEC §7.1), consumer limits once it is verified.
    m_stages.push_back(std::make_unique<RateLimitStage>(RateLimitStage::Phase::BeforeAuth));
    m_stages.push_back(std::make_unique<JwtAuthStage>());
    m_stages.push_back(std::make_unique<RateLimitStage>(RateLimitStage::Phase::AfterAuth));
    m_stages.push_back(std::make_unique<FaultStage>());
    m_stages.push_back(std::make_unique<RespondStage>());
    m_stages.push_back(std::make_unique<CanaryStage>());
    m_stages.push_back(std::make_unique<LoadBalanceStage>());
    m_stages.push_back(std::make_unique<ForwardStage>());
}

Pipeline::~Pipeline() = default;

Pipeline::Outcome Pipeline::run(RequestContext &ctx)
{
    for (; ctx.nextStage < int(m_stages.size()); ++ctx.nextStage) {
        switch (m_stages[std::size_t(ctx.nextStage)]->onRequest(ctx)) {
        case StageResult::Continue:
            break;
        case StageResult::Respond:
            return Outcome::Respond;
        case StageResult::Pause:
            return Outcome::Paused;
        }
    }
    return Outcome::Forward;
}

int Pipeline::indexOf(const char *name) const
{
    for (std::size_t i = 0; i < m_stages.size(); ++i) {
        if (std::strcmp(m_stages[i]->name(), name) == 0) {
            return int(i);
        }
    }
    return -1;
}

} // namespace gatehouse::engine
