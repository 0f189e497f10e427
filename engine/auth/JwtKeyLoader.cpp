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

// RFC 7518 §3.2: an HS* key must be at least as long as the hash, or it can be guessed
// offline from any token it signed. A profile listing several HS algorithms accepts tokens of
// each, so the longest hash sets the bar: HS256 32 bytes, HS384 48, HS512 64.
std::optional<QByteArray> hmacSecret(const profile::JwtProfile &jwt, const QString &baseDir, SecretStore *store, QString *error)
{
    auto secret = resolveSecret(jwt.secret, baseDir, store, error);
    if (!secret) {
        return std::nullopt;
    }
    struct HashSize
    {
        const char *algorithm;
        qsizetype bytes;
    };
    static constexpr HashSize kSizes[] = { { "HS256", 32 }, { "HS384", 48 }, { "HS512", 64 } };
    const HashSize *needed = &kSizes[0];
    for (const HashSize &size : kSizes) {
        if (jwt.algorithms.contains(QLatin1StringView(size.algorithm)) && size.bytes > needed->bytes) {
            needed = &size;
        }
    }
    if (secret->size() < needed->bytes) {
        *error = QStringLiteral("%1 is %2 bytes; %3 needs a secret of at least %4 bytes (RFC 7518 §3.2: at least the hash size)")
                     .arg(profile::formatSecretRef(jwt.secret))
                     .arg(secret->size())
                     .arg(QLatin1StringView(needed->algorithm))
                     .arg(needed->bytes);
        return std::nullopt;
    }
    return secret;
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
        if (const auto secret = hmacSecret(jwt, baseDir, store, &load.error)) {
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
        const auto secret = hmacSecret(jwt, baseDir, store, error);
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
