#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>

#include "engine/auth/JwtAlgorithm.h"
#include "engine/auth/JwtKey.h"

namespace gatehouse::engine {

// Signs a compact JWS for `gatehouse token` and the app's "Mint test token". Nothing when the
// key cannot sign with that algorithm.
std::optional<QByteArray> mintJwt(const JwtKey &key, JwtAlgorithm algorithm, const QJsonObject &claims);

} // namespace gatehouse::engine
