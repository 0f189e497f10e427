#include "TestTokenClaims.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace gatehouse::engine {

namespace {

QString randomJti()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}

} // namespace

QJsonValue claimValueFromText(const QString &text)
{
    // Wrapped in an array so scalars (42, true, "x") parse too: a JSON document must be a container.
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson("[" + text.toUtf8() + "]", &error);
    if (error.error == QJsonParseError::NoError && document.array().size() == 1) {
        return document.array().first();
    }
    return text;
}

QJsonObject testTokenClaims(const profile::JwtProfile &jwt, const QJsonObject &claims, std::chrono::seconds ttl,
                            qint64 nowSecs)
{
    QJsonObject payload { { QStringLiteral("sub"), QStringLiteral("dev-user") },
                          { QStringLiteral("iat"), nowSecs },
                          { QStringLiteral("exp"), nowSecs + ttl.count() },
                          { QStringLiteral("jti"), randomJti() } };
    if (!jwt.issuer.isEmpty()) {
        payload.insert(QStringLiteral("iss"), jwt.issuer);
    }
    if (!jwt.audience.isEmpty()) {
        payload.insert(QStringLiteral("aud"), jwt.audience.first());
    }
    for (auto it = claims.constBegin(); it != claims.constEnd(); ++it) {
        payload.insert(it.key(), it.value());
    }
    return payload;
}

} // namespace gatehouse::engine
