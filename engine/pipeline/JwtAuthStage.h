#pragma once

#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Routes with `auth`: finds the token (token_from), verifies it, refuses revoked tokens, checks
// `require`, and hands the consumer, claims and claim headers to the stages after it.
// 401 with WWW-Authenticate for a missing or invalid token, 403 when a requirement is unmet.
class JwtAuthStage final : public Stage
{
public:
    const char *name() const override { return "jwt_auth"; }
    StageResult onRequest(RequestContext &ctx) override;
};

} // namespace gatehouse::engine
