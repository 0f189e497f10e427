#pragma once

#include <QByteArrayView>

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Route `canary` (SPEC §2): the canary header forces a side (any value but 0/false/no means
// the canary), listed users go to the canary, everyone else by a stable hash of the consumer
// (else the client IP) so `percent`% of them land there, and always the same ones. The answer
// says which side served (X-Gatehouse-Canary: canary|stable).
class CanaryStage final : public Stage
{
public:
    const char *name() const override { return "canary"; }
    StageResult onRequest(RequestContext &ctx) override;
    void onResponse(RequestContext &ctx, http::ResponseHead &head) override;

    // Whether this key lands in the canary's `percent`: the same key, the same answer, in
    // every process.
    static bool inCanaryShare(QByteArrayView key, double percent);
};

} // namespace gatehouse::engine
