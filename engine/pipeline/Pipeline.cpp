#include "Pipeline.h"

#include <cstring>

#include "engine/pipeline/CanaryStage.h"
#include "engine/pipeline/CompressStage.h"
#include "engine/pipeline/CorsStage.h"
#include "engine/pipeline/FaultStage.h"
#include "engine/pipeline/ForwardStage.h"
#include "engine/pipeline/JwtAuthStage.h"
#include "engine/pipeline/LoadBalanceStage.h"
#include "engine/pipeline/RateLimitStage.h"
#include "engine/pipeline/RedirectHttpsStage.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/pipeline/RequestIdStage.h"
#include "engine/pipeline/RespondStage.h"
#include "engine/pipeline/ResponseHeadersStage.h"
#include "engine/pipeline/RouteMatchStage.h"
#include "engine/pipeline/ServerTimingStage.h"
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
    auto canary = std::make_unique<CanaryStage>();
    Stage *const canaryStage = canary.get();
    m_stages.push_back(std::move(canary));
    m_stages.push_back(std::make_unique<LoadBalanceStage>());
    m_stages.push_back(std::make_unique<ForwardStage>());

    // What the request phase added first (CORS answers for Vary), then what changes the body.
    m_responseOnly.push_back(std::make_unique<ResponseHeadersStage>());
    m_responseOnly.push_back(std::make_unique<CompressStage>());
    m_responseOnly.push_back(std::make_unique<ServerTimingStage>());
    m_responseOnly.push_back(std::make_unique<RequestIdStage>());
    for (const std::unique_ptr<Stage> &stage : m_responseOnly) {
        m_responseStages.push_back(stage.get());
    }
    m_responseStages.push_back(canaryStage);
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

void Pipeline::respond(RequestContext &ctx, http::ResponseHead &head)
{
    for (Stage *stage : m_responseStages) {
        stage->onResponse(ctx, head);
    }
}

Stage *Pipeline::responseStage(const char *name) const
{
    for (Stage *stage : m_responseStages) {
        if (std::strcmp(stage->name(), name) == 0) {
            return stage;
        }
    }
    return nullptr;
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
