#include "JwtKeyLoader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include "engine/profile/Values.h"
#include "engine/secrets/SecretResolver.h"

namespace gatehouse::engine {

namespace {

std::optional<JwtKey> pemKey(const profile::SecretRef &ref, const QString &baseDir, SecretStore *store, QString *error)
{
    const auto pem = resolveSecret(ref, baseDir, store, error);
    if (!pem) {
        return std::nullopt;
    }
    QString problem;
    auto key = JwtKey::fromPem(*pem, &problem);
    if (!key) {
        *error = QStringLiteral("%1: %2").arg(profile::formatSecretRef(ref), problem);
    }
    return key;
}

} // namespace

JwtRules jwtRulesFor(const profile::JwtProfile &jwt)
{
    JwtRules rules;
    for (const QString &name : jwt.algorithms) {
        if (const auto algorithm = jwtAlgorithmFromName(name.toLatin1())) {
            rules.algorithms.append(*algorithm);
        }
    }
    rules.issuer = jwt.issuer;
    rules.audience = jwt.audience;
    rules.leewaySeconds = std::chrono::duration_cast<std::chrono::seconds>(jwt.leeway).count();
    return rules;
}

bool hasRemoteJwks(const profile::JwtProfile &jwt)
{
    return !jwt.jwks.isEmpty() && !jwt.jwks.startsWith(QStringLiteral("file:"));
}

JwtKeyLoad loadVerificationKeys(const profile::JwtProfile &jwt, const QString &baseDir, SecretStore *store)
{
    JwtKeyLoad load;
    if (jwt.secret.isSet()) {
        if (const auto secret = resolveSecret(jwt.secret, baseDir, store, &load.error)) {
            load.keys = std::make_shared<const JwtKeySet>(JwtKeySet { { JwtKey::fromSecret(*secret) } });
        }
    } else if (jwt.publicKey.isSet()) {
        if (auto key = pemKey(jwt.publicKey, baseDir, store, &load.error)) {
            load.keys = std::make_shared<const JwtKeySet>(JwtKeySet { { *key } });
        }
    } else if (!jwt.jwks.isEmpty() && !hasRemoteJwks(jwt)) {
        const QString path = QDir(baseDir).absoluteFilePath(jwt.jwks.mid(5));
        QFile file(path);
        QString problem;
        if (!file.open(QIODevice::ReadOnly)) {
            problem = file.errorString();
        } else {
            load.keys = parseJwks(file.read(1024 * 1024), &problem);
        }
        if (!load.keys) {
            load.error = QStringLiteral("%1: %2").arg(jwt.jwks, problem);
        }
    }
    return load;
}

std::optional<JwtKey> loadSigningKey(const profile::JwtProfile &jwt, const QString &baseDir, SecretStore *store,
                                     QString *error)
{
    if (jwt.secret.isSet()) {
        const auto secret = resolveSecret(jwt.secret, baseDir, store, error);
        return secret ? std::optional(JwtKey::fromSecret(*secret)) : std::nullopt;
    }
    if (!jwt.privateKey.isSet()) {
        *error = QStringLiteral("JWT profile '%1' has no private_key to sign with").arg(jwt.name);
        return std::nullopt;
    }
    auto key = pemKey(jwt.privateKey, baseDir, store, error);
    if (key && !key->canSign()) {
        *error = QStringLiteral("%1 is a public key; signing needs the private key").arg(profile::formatSecretRef(jwt.privateKey));
        return std::nullopt;
    }
    return key;
}

std::shared_ptr<const JwtKeySet> parseJwks(QByteArrayView json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()
        || !document.object().value(QStringLiteral("keys")).isArray()) {
        *error = QStringLiteral("not a JWK Set (a JSON object with a \"keys\" array)");
        return nullptr;
    }
    auto set = std::make_shared<JwtKeySet>();
    QString firstProblem;
    for (const QJsonValue &item : document.object().value(QStringLiteral("keys")).toArray()) {
        QString problem;
        if (auto key = JwtKey::fromJwk(item.toObject(), &problem)) {
            set->keys.append(*key);
        } else if (firstProblem.isEmpty()) {
            firstProblem = problem;
        }
    }
    if (set->keys.isEmpty()) {
        *error = QStringLiteral("no usable signing key in the JWK Set") + (firstProblem.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(firstProblem));
        return nullptr;
    }
    return set;
}

} // namespace gatehouse::engine
