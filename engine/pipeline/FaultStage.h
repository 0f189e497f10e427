#pragma once

#include <random>

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Route `fault`: delays `delay_percent`% of requests by `delay` and answers `abort_percent`%
// with `abort_status`, so a developer can see how their client copes with a slow or failing
// service without breaking one. A delayed request pauses the pipeline for the delay; the abort
// is rolled after it. Each worker's stage has its own random source.
class FaultStage final : public Stage
{
public:
    FaultStage();
    const char *name() const override { return "fault"; }
    StageResult onRequest(RequestContext &ctx) override;

private:
    bool roll(double percent);

    std::mt19937_64 m_rng;
};

} // namespace gatehouse::engine
