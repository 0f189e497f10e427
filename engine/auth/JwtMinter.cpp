#include "JwtMinter.h"

#include <QJsonDocument>

#include "engine/auth/Base64Url.h"

namespace gatehouse::engine {

std::optional<QByteArray> mintJwt(const JwtKey &key, JwtAlgorithm algorithm, const QJsonObject &claims)
{
    QJsonObject header { { QStringLiteral("alg"), QString::fromLatin1(jwtAlgorithmName(algorithm)) },
                         { QStringLiteral("typ"), QStringLiteral("JWT") } };
    if (!key.kid().isEmpty()) {
        header.insert(QStringLiteral("kid"), QString::fromUtf8(key.kid()));
    }
    const QByteArray signingInput = base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const auto signature = key.sign(algorithm, signingInput);
    if (!signature) {
        return std::nullopt;
    }
    return signingInput + '.' + base64UrlEncode(*signature);
}

} // namespace gatehouse::engine
