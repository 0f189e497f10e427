#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "engine/auth/JwtAlgorithm.h"
#include "engine/auth/JwtKey.h"

namespace gatehouse::engine {

// Why a token was refused. The access log takes code(), the 401's error_description takes
// description(); neither ever contains the token or a key.
enum class JwtFailure {
    None,
    Missing,
    Malformed,
    AlgorithmNotAllowed,
    UnknownKey,
    KeysUnavailable,
    BadSignature,
    Expired,
    NotYetValid,
    IssuedInFuture,
    WrongIssuer,
    WrongAudience,
    Revoked,
};

QByteArray jwtFailureCode(JwtFailure failure); // "expired", "bad_signature", ...
QString jwtFailureDescription(JwtFailure failure); // "token expired", ...

struct JwtVerdict
{
    JwtFailure failure = JwtFailure::None;
    QJsonObject claims; // the verified payload, when failure == None
    bool ok() const { return failure == JwtFailure::None; }
};

struct JwtKeySet
{
    QList<JwtKey> keys;
};

struct JwtRules
{
    QList<JwtAlgorithm> algorithms; // the profile's; the token's "alg" must be one of them
    QString issuer; // empty = not checked
    QStringList audience; // empty = not checked; else the token's aud must name one of them
    qint64 leewaySeconds = 0;
};

// Verifies compact JWS tokens against one JWT profile. Built when the profile loads; keys are
// parsed once. verify() is const and lock-free apart from reading the current key set, which a
// JWKS refresh may replace at any time.
class JwtVerifier final
{
public:
    JwtVerifier(JwtRules rules, std::shared_ptr<const JwtKeySet> keys);

    JwtVerdict verify(QByteArrayView token, qint64 nowSeconds) const;

    void setKeys(std::shared_ptr<const JwtKeySet> keys);
    std::shared_ptr<const JwtKeySet> keys() const;
    // Whether a token named a kid no key has, since the last call: a JWKS may have rotated.
    bool takeUnknownKeySeen();
    // The time, issuer and audience checks alone, for claims whose signature was verified
    // before (a cached token): exp and nbf move with the clock.
    JwtFailure checkClaims(const QJsonObject &claims, qint64 nowSeconds) const;

private:

    JwtRules m_rules;
    std::atomic<std::shared_ptr<const JwtKeySet>> m_keys;
    mutable std::atomic<bool> m_unknownKeySeen { false };
};

} // namespace gatehouse::engine
