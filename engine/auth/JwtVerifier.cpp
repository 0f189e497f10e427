#include "JwtVerifier.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>

#include "engine/auth/Base64Url.h"

namespace gatehouse::engine {

namespace {

// A JWT larger than this is refused before any parsing or crypto is spent on it.
constexpr qsizetype kMaxTokenBytes = 16 * 1024;

std::optional<QJsonObject> decodeJsonPart(QByteArrayView part)
{
    const auto json = base64UrlDecode(part);
    if (!json) {
        return std::nullopt;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return std::nullopt;
    }
    return document.object();
}

// NumericDate (RFC 7519 §2): a JSON number of seconds. A present but non-numeric one is malformed.
enum class TimeClaim { Absent, Valid, Invalid };
TimeClaim readTime(const QJsonObject &claims, const QString &name, qint64 *out)
{
    const QJsonValue value = claims.value(name);
    if (value.isUndefined()) {
        return TimeClaim::Absent;
    }
    // Beyond ±2^53 a double no longer holds whole seconds exactly, and the cast would overflow.
    constexpr double kLimit = 9007199254740992.0;
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || std::fabs(value.toDouble()) > kLimit) {
        return TimeClaim::Invalid;
    }
    *out = qint64(std::floor(value.toDouble()));
    return TimeClaim::Valid;
}

bool audienceMatches(const QJsonValue &aud, const QStringList &accepted)
{
    if (aud.isString()) {
        return accepted.contains(aud.toString());
    }
    if (aud.isArray()) {
        const QJsonArray values = aud.toArray();
        return std::any_of(values.begin(), values.end(),
                           [&accepted](const QJsonValue &value) { return value.isString() && accepted.contains(value.toString()); });
    }
    return false;
}

} // namespace

QByteArray jwtFailureCode(JwtFailure failure)
{
    switch (failure) {
    case JwtFailure::None: return "ok";
    case JwtFailure::Missing: return "missing_token";
    case JwtFailure::Malformed: return "malformed";
    case JwtFailure::AlgorithmNotAllowed: return "algorithm_not_allowed";
    case JwtFailure::UnknownKey: return "unknown_kid";
    case JwtFailure::KeysUnavailable: return "keys_unavailable";
    case JwtFailure::BadSignature: return "bad_signature";
    case JwtFailure::Expired: return "expired";
    case JwtFailure::NotYetValid: return "not_yet_valid";
    case JwtFailure::IssuedInFuture: return "issued_in_future";
    case JwtFailure::WrongIssuer: return "wrong_issuer";
    case JwtFailure::WrongAudience: return "wrong_audience";
    case JwtFailure::Revoked: return "revoked";
    }
    return "invalid";
}

QString jwtFailureDescription(JwtFailure failure)
{
    switch (failure) {
    case JwtFailure::None: return QStringLiteral("ok");
    case JwtFailure::Missing: return QStringLiteral("no token");
    case JwtFailure::Malformed: return QStringLiteral("malformed token");
    case JwtFailure::AlgorithmNotAllowed: return QStringLiteral("algorithm not allowed");
    case JwtFailure::UnknownKey: return QStringLiteral("unknown key id (kid)");
    case JwtFailure::KeysUnavailable: return QStringLiteral("signing keys not available");
    case JwtFailure::BadSignature: return QStringLiteral("bad signature");
    case JwtFailure::Expired: return QStringLiteral("token expired");
    case JwtFailure::NotYetValid: return QStringLiteral("token not yet valid (nbf)");
    case JwtFailure::IssuedInFuture: return QStringLiteral("token issued in the future (iat)");
    case JwtFailure::WrongIssuer: return QStringLiteral("wrong issuer");
    case JwtFailure::WrongAudience: return QStringLiteral("wrong audience");
    case JwtFailure::Revoked: return QStringLiteral("token revoked");
    }
    return QStringLiteral("invalid token");
}

JwtVerifier::JwtVerifier(JwtRules rules, std::shared_ptr<const JwtKeySet> keys)
    : m_rules(std::move(rules))
    , m_keys(std::move(keys))
{
}

void JwtVerifier::setKeys(std::shared_ptr<const JwtKeySet> keys)
{
    m_keys.store(std::move(keys));
}

std::shared_ptr<const JwtKeySet> JwtVerifier::keys() const
{
    return m_keys.load();
}

bool JwtVerifier::takeUnknownKeySeen()
{
    return m_unknownKeySeen.exchange(false, std::memory_order_relaxed);
}

JwtVerdict JwtVerifier::verify(QByteArrayView token, qint64 nowSeconds) const
{
    JwtVerdict verdict;
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype lastDot = token.lastIndexOf('.');
    // Exactly three parts; a stripped signature ("header.payload.") is malformed, not unsigned.
    if (token.isEmpty() || token.size() > kMaxTokenBytes || firstDot <= 0 || lastDot == firstDot
        || token.sliced(firstDot + 1, lastDot - firstDot - 1).contains('.') || lastDot == token.size() - 1) {
        verdict.failure = JwtFailure::Malformed;
        return verdict;
    }
    const auto header = decodeJsonPart(token.first(firstDot));
    const auto signature = base64UrlDecode(token.sliced(lastDot + 1));
    if (!header || !signature) {
        verdict.failure = JwtFailure::Malformed;
        return verdict;
    }
    const auto algorithm = jwtAlgorithmFromName(header->value(QStringLiteral("alg")).toString().toLatin1());
    if (!algorithm || !m_rules.algorithms.contains(*algorithm)) {
        verdict.failure = JwtFailure::AlgorithmNotAllowed;
        return verdict;
    }
    // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
    if (header->contains(QStringLiteral("crit"))) {
        verdict.failure = JwtFailure::Malformed;
        return verdict;
    }

    const std::shared_ptr<const JwtKeySet> keySet = m_keys.load();
    if (!keySet || keySet->keys.isEmpty()) {
        verdict.failure = JwtFailure::KeysUnavailable;
        return verdict;
    }
    const QByteArray kid = header->value(QStringLiteral("kid")).toString().toUtf8();
    const QByteArrayView signingInput = token.first(lastDot);
    bool candidate = false;
    bool verified = false;
    for (const JwtKey &key : keySet->keys) {
        // A token naming a kid is checked only with that key; without one, every fitting key.
        if ((!kid.isEmpty() && !key.kid().isEmpty() && key.kid() != kid) || !key.suits(*algorithm)) {
            continue;
        }
        candidate = true;
        if (key.verify(*algorithm, signingInput, *signature)) {
            verified = true;
            break;
        }
    }
    if (!verified) {
        verdict.failure = candidate ? JwtFailure::BadSignature : JwtFailure::UnknownKey;
        if (!candidate && !m_unknownKeySeen.load(std::memory_order_relaxed)) {
            m_unknownKeySeen.store(true, std::memory_order_relaxed);
        }
        return verdict;
    }

    const auto claims = decodeJsonPart(token.sliced(firstDot + 1, lastDot - firstDot - 1));
    if (!claims) {
        verdict.failure = JwtFailure::Malformed;
        return verdict;
    }
    verdict.failure = checkClaims(*claims, nowSeconds);
    if (verdict.ok()) {
        verdict.claims = *claims;
    }
    return verdict;
}

JwtFailure JwtVerifier::checkClaims(const QJsonObject &claims, qint64 nowSeconds) const
{
    const qint64 leeway = m_rules.leewaySeconds;
    qint64 exp = 0;
    qint64 nbf = 0;
    qint64 iat = 0;
    const TimeClaim hasExp = readTime(claims, QStringLiteral("exp"), &exp);
    const TimeClaim hasNbf = readTime(claims, QStringLiteral("nbf"), &nbf);
    const TimeClaim hasIat = readTime(claims, QStringLiteral("iat"), &iat);
    if (hasExp == TimeClaim::Invalid || hasNbf == TimeClaim::Invalid || hasIat == TimeClaim::Invalid) {
        return JwtFailure::Malformed;
    }
    if (hasExp == TimeClaim::Valid && nowSeconds >= exp + leeway) {
        return JwtFailure::Expired;
    }
    if (hasNbf == TimeClaim::Valid && nowSeconds + leeway < nbf) {
        return JwtFailure::NotYetValid;
    }
    if (hasIat == TimeClaim::Valid && nowSeconds + leeway < iat) {
        return JwtFailure::IssuedInFuture;
    }
    if (!m_rules.issuer.isEmpty() && claims.value(QStringLiteral("iss")).toString() != m_rules.issuer) {
        return JwtFailure::WrongIssuer;
    }
    if (!m_rules.audience.isEmpty() && !audienceMatches(claims.value(QStringLiteral("aud")), m_rules.audience)) {
        return JwtFailure::WrongAudience;
    }
    return JwtFailure::None;
}

} // namespace gatehouse::engine
