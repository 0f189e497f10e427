#pragma once

#include <chrono>

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include "engine/profile/Profile.h"

namespace gatehouse::engine {

// The payload of a test token, one definition for `gatehouse token` and the app's "Mint test
// token", so both carry the same claims:
// sub = dev-user, iat, exp = now + ttl, a random jti, the profile's issuer and first audience,
// then `claims` adding or replacing any of those.
QJsonObject testTokenClaims(const profile::JwtProfile &jwt, const QJsonObject &claims, std::chrono::seconds ttl,
                            qint64 nowSecs);

// A claim value as typed: JSON when it parses as JSON (42, true, ["a","b"], {"k":1}), else text.
QJsonValue claimValueFromText(const QString &text);

} // namespace gatehouse::engine
