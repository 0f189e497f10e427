// JwtKey::fromJwk: RFC 7517 keys into OpenSSL keys (RFC 7518 §6 parameters, RFC 8037 for OKP).

#include "JwtKey.h"

#include "engine/auth/Base64Url.h"
#include "engine/base/OpenSslHandles.h"

#include <openssl/core_names.h>

namespace gatehouse::engine {

namespace {

std::optional<QByteArray> member(const QJsonObject &jwk, const char *name, QString *error)
{
    const QJsonValue value = jwk.value(QLatin1String(name));
    std::optional<QByteArray> bytes;
    if (value.isString()) {
        bytes = base64UrlDecode(value.toString().toLatin1());
    }
    if (!bytes || bytes->isEmpty()) {
        *error = QStringLiteral("JWK member '%1' is missing or not base64url").arg(QLatin1String(name));
        return std::nullopt;
    }
    return bytes;
}

std::shared_ptr<EVP_PKEY> fromParams(const char *type, OSSL_PARAM_BLD *builder)
{
    ossl::Params params(OSSL_PARAM_BLD_to_param(builder), OSSL_PARAM_free);
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
    EVP_PKEY *pkey = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    return ossl::sharedPkey(pkey);
}

std::shared_ptr<EVP_PKEY> rsaFromJwk(const QJsonObject &jwk, QString *error)
{
    const auto n = member(jwk, "n", error);
    const auto e = n ? member(jwk, "e", error) : std::nullopt;
    if (!e) {
        return nullptr;
    }
    const auto toBn = [](const QByteArray &bytes) {
        return ossl::Bignum(BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.constData()), int(bytes.size()), nullptr),
                            BN_free);
    };
    const ossl::Bignum modulus = toBn(*n);
    const ossl::Bignum exponent = toBn(*e);
    ossl::ParamBld builder(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!modulus || !exponent || !builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get())
        || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get())) {
        *error = QStringLiteral("invalid RSA JWK");
        return nullptr;
    }
    auto pkey = fromParams("RSA", builder.get());
    if (!pkey) {
        *error = QStringLiteral("invalid RSA JWK");
    }
    return pkey;
}

std::shared_ptr<EVP_PKEY> ecFromJwk(const QJsonObject &jwk, QString *error)
{
    const QString curve = jwk.value(QStringLiteral("crv")).toString();
    const char *group = curve == u"P-256" ? "prime256v1" : curve == u"P-384" ? "secp384r1" : nullptr;
    if (!group) {
        *error = QStringLiteral("EC JWK curve '%1' is not supported; use P-256 or P-384").arg(curve);
        return nullptr;
    }
    const int size = ecCoordinateSize(curve == u"P-256" ? JwtKeyType::EcP256 : JwtKeyType::EcP384);
    const auto x = member(jwk, "x", error);
    const auto y = x ? member(jwk, "y", error) : std::nullopt;
    if (!y) {
        return nullptr;
    }
    if (x->size() != size || y->size() != size) {
        *error = QStringLiteral("EC JWK coordinates must be %1 bytes for %2").arg(size).arg(curve);
        return nullptr;
    }
    // The uncompressed point; OpenSSL refuses one that is not on the curve.
    const QByteArray point = QByteArray(1, '\x04') + *x + *y;
    ossl::ParamBld builder(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
    if (!builder || !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0)
        || !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(), size_t(point.size()))) {
        *error = QStringLiteral("invalid EC JWK");
        return nullptr;
    }
    auto pkey = fromParams("EC", builder.get());
    if (!pkey) {
        *error = QStringLiteral("invalid EC JWK: the point is not on %1").arg(curve);
    }
    return pkey;
}

std::shared_ptr<EVP_PKEY> okpFromJwk(const QJsonObject &jwk, QString *error)
{
    const QString curve = jwk.value(QStringLiteral("crv")).toString();
    if (curve != u"Ed25519") {
        *error = QStringLiteral("OKP JWK curve '%1' is not supported; use Ed25519").arg(curve);
        return nullptr;
    }
    const auto x = member(jwk, "x", error);
    if (!x) {
        return nullptr;
    }
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr,
                                                    reinterpret_cast<const unsigned char *>(x->constData()), size_t(x->size()));
    if (!pkey) {
        ERR_clear_error();
        *error = QStringLiteral("invalid Ed25519 JWK: 'x' must be 32 bytes");
        return nullptr;
    }
    return ossl::sharedPkey(pkey);
}

} // namespace

std::optional<JwtKey> JwtKey::fromJwk(const QJsonObject &jwk, QString *error)
{
    error->clear();
    const QString use = jwk.value(QStringLiteral("use")).toString(QStringLiteral("sig"));
    if (use != u"sig") {
        *error = QStringLiteral("JWK with use '%1' is not a signing key").arg(use);
        return std::nullopt;
    }
    std::optional<JwtAlgorithm> algorithm;
    if (jwk.contains(QStringLiteral("alg"))) {
        algorithm = jwtAlgorithmFromName(jwk.value(QStringLiteral("alg")).toString().toLatin1());
        if (!algorithm) {
            *error = QStringLiteral("JWK algorithm '%1' is not supported").arg(jwk.value(QStringLiteral("alg")).toString());
            return std::nullopt;
        }
    }
    const QString kty = jwk.value(QStringLiteral("kty")).toString();
    std::optional<JwtKey> key;
    if (kty == u"oct") {
        if (const auto secret = member(jwk, "k", error)) {
            key = fromSecret(*secret);
        }
    } else {
        std::shared_ptr<EVP_PKEY> pkey = kty == u"RSA" ? rsaFromJwk(jwk, error)
                                       : kty == u"EC"  ? ecFromJwk(jwk, error)
                                       : kty == u"OKP" ? okpFromJwk(jwk, error)
                                                       : nullptr;
        if (pkey) {
            key = fromPkey(std::move(pkey), false, error);
        } else if (error->isEmpty()) {
            *error = QStringLiteral("JWK key type '%1' is not supported; use RSA, EC, OKP or oct").arg(kty);
        }
    }
    if (!key) {
        return std::nullopt;
    }
    if (algorithm && !key->suits(*algorithm)) {
        *error = QStringLiteral("JWK algorithm '%1' does not fit its key type").arg(QString::fromLatin1(jwtAlgorithmName(*algorithm)));
        return std::nullopt;
    }
    key->m_kid = jwk.value(QStringLiteral("kid")).toString().toUtf8();
    key->m_algorithm = algorithm;
    return key;
}

} // namespace gatehouse::engine
