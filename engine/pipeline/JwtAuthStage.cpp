#include "JwtAuthStage.h"

#include <QDateTime>

#include "engine/auth/Claims.h"
#include "engine/base/SteadyClock.h"
#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

namespace {

QByteArrayView bearerToken(QByteArrayView value)
{
    value = value.trimmed();
    if (value.size() > 7 && QByteArrayView(value.first(7)).compare("bearer ", Qt::CaseInsensitive) == 0) {
        return value.sliced(7).trimmed();
    }
    return value;
}

QByteArray queryValue(const QByteArray &query, QByteArrayView name)
{
    for (const QByteArray &pair : query.split('&')) {
        if (pair.size() > name.size() && pair.startsWith(name) && pair.at(name.size()) == '=') {
            return QByteArray::fromPercentEncoding(pair.sliced(name.size() + 1));
        }
    }
    return {};
}

// The first configured source that carries something; other places are never looked at, so a
// token in the query does not count when the profile only reads the Authorization header.
QByteArray findToken(const RequestContext &ctx, const JwtAuthConfig &auth)
{
    for (const TokenSource &source : auth.sources) {
        QByteArray token;
        switch (source.kind) {
        case TokenSource::Kind::Header: {
            const QByteArray value = ctx.head->header(source.name);
            token = bearerToken(value).toByteArray();
            break;
        }
        case TokenSource::Kind::Cookie:
            token = ctx.head->cookie(source.name);
            break;
        case TokenSource::Kind::Query:
            token = queryValue(ctx.target.query, source.name);
            break;
        }
        if (!token.isEmpty()) {
            return token;
        }
    }
    return {};
}

StageResult unauthorized(RequestContext &ctx, JwtFailure failure)
{
    ctx.authOutcome = jwtFailureCode(failure);
    ctx.response.status = 401;
    ctx.response.error = failure == JwtFailure::Missing ? "missing_token" : "invalid_token";
    ctx.response.message = jwtFailureDescription(failure);
    QByteArray challenge = "Bearer realm=\"gatehouse\"";
    if (failure != JwtFailure::Missing) {
        challenge += ", error=\"invalid_token\", error_description=\"" + jwtFailureDescription(failure).toLatin1() + '"';
    }
    ctx.response.headers.append({ "WWW-Authenticate", challenge });
    return StageResult::Respond;
}

// Tokens remembered per worker; when full the cache starts over (cheaper than LRU bookkeeping
// on every request, and a full cache means many distinct clients anyway).
constexpr qsizetype kMaxVerifiedTokens = 2048;
constexpr qint64 kSharedRevocationRecheckMs = 1000;

} // namespace

JwtAuthStage::JwtAuthStage()
    : m_cacheEnabled(qEnvironmentVariable("GATEHOUSE_JWT_CACHE") != QLatin1String("0"))
{
}

JwtVerdict JwtAuthStage::verify(const JwtAuthConfig &auth, const QByteArray &token, qint64 now)
{
    if (!m_cacheEnabled) {
        return auth.verifier->verify(token, now);
    }
    std::shared_ptr<const JwtKeySet> keys = auth.verifier->keys();
    const auto found = m_verified.constFind(token);
    if (found != m_verified.cend() && found->verifier == auth.verifier && found->keys == keys) {
        JwtVerdict verdict;
        verdict.failure = auth.verifier->checkClaims(found->claims, now);
        if (verdict.ok()) {
            verdict.claims = found->claims;
        } else {
            m_verified.erase(found);
        }
        return verdict;
    }
    JwtVerdict verdict = auth.verifier->verify(token, now);
    if (verdict.ok()) {
        if (m_verified.size() >= kMaxVerifiedTokens) {
            m_verified.clear();
        }
        m_verified.insert(token, { auth.verifier, std::move(keys), verdict.claims });
    }
    return verdict;
}

JwtAuthStage::Revocation JwtAuthStage::revocation(RequestContext &ctx, const JwtAuthConfig &auth, const QByteArray &token,
                                                  const QJsonObject &claims, qint64 now)
{
    RevocationList &local = *ctx.config->revocations;
    const bool anyLocal = local.size() > 0;
    if (!anyLocal && !auth.sharedRevocations) {
        return Revocation::No;
    }
    const QByteArray id = revocationEntryFor(claims, token).id;
    if (anyLocal && local.isRevoked(id, now)) {
        return Revocation::Yes;
    }
    if (!auth.sharedRevocations) {
        return Revocation::No;
    }
    const QByteArray memoKey = id + '@' + QByteArray::number(quintptr(auth.sharedRevocations.get()));
    const qint64 nowMs = steadyNowMs();
    if (m_notRevokedUntilMs.value(memoKey) > nowMs) {
        return Revocation::No;
    }
    if (!ctx.storeAnswers) {
        ctx.storeAnswers = std::make_shared<StoreAnswers>();
    }
    if (!ctx.storeAnswers->revoked) {
        const bool asking = auth.sharedRevocations->isRevoked(id, [answers = ctx.storeAnswers, resume = ctx.resume](bool revoked) {
            answers->revoked = revoked;
            resume();
        });
        if (asking) {
            return Revocation::Asking;
        }
        ctx.storeAnswers->revoked = false; // Redis cannot be asked now: not revoked, as the store says
    }
    if (*ctx.storeAnswers->revoked) {
        return Revocation::Yes;
    }
    if (m_notRevokedUntilMs.size() >= kMaxVerifiedTokens) {
        m_notRevokedUntilMs.clear();
    }
    m_notRevokedUntilMs.insert(memoKey, nowMs + kSharedRevocationRecheckMs);
    return Revocation::No;
}

StageResult JwtAuthStage::onRequest(RequestContext &ctx)
{
    if (!ctx.route || ctx.route->jwt < 0) {
        return StageResult::Continue;
    }
    const JwtAuthConfig &auth = ctx.config->jwt[std::size_t(ctx.route->jwt)];
    const QByteArray token = findToken(ctx, auth);
    if (token.isEmpty()) {
        return unauthorized(ctx, JwtFailure::Missing);
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    JwtVerdict verdict = verify(auth, token, now);
    if (verdict.ok()) {
        switch (revocation(ctx, auth, token, verdict.claims, now)) {
        case Revocation::Asking:
            return StageResult::Pause; // runs again, from the token on, with the answer
        case Revocation::Yes:
            verdict.failure = JwtFailure::Revoked;
            break;
        case Revocation::No:
            break;
        }
    }
    if (!verdict.ok()) {
        return unauthorized(ctx, verdict.failure);
    }
    ctx.claims = std::move(verdict.claims);
    ctx.consumer = claimHeaderValue(claimValue(ctx.claims, u"sub"));
    for (const auto &[claim, expected] : ctx.route->require) {
        if (!claimMatches(claimValue(ctx.claims, claim), expected)) {
            ctx.authOutcome = "forbidden";
            ctx.response.status = 403;
            ctx.response.error = "forbidden";
            ctx.response.message = QStringLiteral("the token's claims do not meet this route's requirement on '%1'").arg(claim);
            return StageResult::Respond;
        }
    }
    for (const auto &[claim, header] : auth.claimsToHeaders) {
        const QByteArray value = claimHeaderValue(claimValue(ctx.claims, claim));
        if (!value.isEmpty()) {
            ctx.claimHeaders.append({ header, value });
        }
    }
    ctx.authOutcome = "ok";
    return StageResult::Continue;
}

} // namespace gatehouse::engine
