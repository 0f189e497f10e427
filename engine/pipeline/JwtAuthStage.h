#pragma once

#include <memory>

#include <QByteArray>
#include <QHash>
#include <QJsonObject>

#include "engine/auth/JwtAuthConfig.h"
#include "engine/pipeline/Stage.h"

namespace gatehouse::engine {

// Routes with `auth`: finds the token (token_from), verifies it, refuses revoked tokens, checks
// `require`, and hands the consumer, claims and claim headers to the stages after it.
// 401 with WWW-Authenticate for a missing or invalid token, 403 when a requirement is unmet.
//
// Each worker remembers the tokens it verified (a client sends the same token again and again),
// so a repeated token costs a hash lookup and the time checks instead of a signature check. An
// entry holds only if the same verifier with the same keys would check it now: a reload or a
// JWKS refresh starts afresh. GATEHOUSE_JWT_CACHE=0 turns it off (to measure verification).
// Revocations in a shared store (Redis) are asked about at most once a second per token, so a
// revocation made on another gateway takes effect here within a second. Asking pauses the
// request; the stage runs again with the answer in ctx.storeAnswers.
class JwtAuthStage final : public Stage
{
public:
    JwtAuthStage();
    const char *name() const override { return "jwt_auth"; }
    StageResult onRequest(RequestContext &ctx) override;

private:
    struct Verified
    {
        std::shared_ptr<JwtVerifier> verifier;
        std::shared_ptr<const JwtKeySet> keys;
        QJsonObject claims;
    };
    JwtVerdict verify(const JwtAuthConfig &auth, const QByteArray &token, qint64 now);
    enum class Revocation { No, Yes, Asking };
    Revocation revocation(RequestContext &ctx, const JwtAuthConfig &auth, const QByteArray &token, const QJsonObject &claims,
                          qint64 now);

    bool m_cacheEnabled = true;
    QHash<QByteArray, Verified> m_verified;
    QHash<QByteArray, qint64> m_notRevokedUntilMs; // shared-store answers, remembered briefly
};

} // namespace gatehouse::engine
