#include "JwtKey.h"

#include "engine/base/OpenSslHandles.h"

namespace gatehouse::engine {

namespace {

// RFC 7518 §3.3: RSA keys for JWS are 2048 bits or larger.
constexpr int kMinRsaBits = 2048;

std::optional<JwtKeyType> ecKeyType(EVP_PKEY *pkey)
{
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof group, &length) != 1) {
        return std::nullopt;
    }
    const QByteArrayView name(group, qsizetype(length));
    if (name == "prime256v1" || name == "P-256") {
        return JwtKeyType::EcP256;
    }
    if (name == "secp384r1" || name == "P-384") {
        return JwtKeyType::EcP384;
    }
    return std::nullopt;
}

std::shared_ptr<EVP_PKEY> readPem(QByteArrayView pem, bool *isPrivate)
{
    // Each attempt reads from a fresh BIO; failed attempts leave errors on the thread's queue,
    // which are cleared so they never surface in an unrelated later call.
    const auto attempt = [&pem](auto read) {
        ossl::Bio bio(BIO_new_mem_buf(pem.data(), int(pem.size())), BIO_free);
        EVP_PKEY *pkey = bio ? read(bio.get()) : nullptr;
        ERR_clear_error();
        return pkey;
    };
    *isPrivate = false;
    if (EVP_PKEY *pkey = attempt([](BIO *bio) { return PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr); })) {
        return ossl::sharedPkey(pkey);
    }
    if (EVP_PKEY *pkey = attempt([](BIO *bio) {
            ossl::X509Ptr certificate(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr), X509_free);
            return certificate ? X509_get_pubkey(certificate.get()) : nullptr;
        })) {
        return ossl::sharedPkey(pkey);
    }
    // An empty passphrase callback: an encrypted private key fails instead of prompting.
    if (EVP_PKEY *pkey = attempt([](BIO *bio) {
            return PEM_read_bio_PrivateKey(bio, nullptr, [](char *, int, int, void *) { return 0; }, nullptr);
        })) {
        *isPrivate = true;
        return ossl::sharedPkey(pkey);
    }
    return nullptr;
}

} // namespace

JwtKey JwtKey::fromSecret(QByteArray secret)
{
    JwtKey key;
    key.m_type = JwtKeyType::Hmac;
    key.m_secret = std::move(secret);
    key.m_private = true;
    return key;
}

std::optional<JwtKey> JwtKey::fromPem(QByteArrayView pem, QString *error)
{
    bool isPrivate = false;
    std::shared_ptr<EVP_PKEY> pkey = readPem(pem, &isPrivate);
    if (!pkey) {
        *error = QStringLiteral("not a PEM public key, certificate or unencrypted private key");
        return std::nullopt;
    }
    return fromPkey(std::move(pkey), isPrivate, error);
}

std::optional<JwtKey> JwtKey::fromPkey(std::shared_ptr<evp_pkey_st> pkey, bool isPrivate, QString *error)
{
    JwtKey key;
    key.m_private = isPrivate;
    switch (EVP_PKEY_get_base_id(pkey.get())) {
    case EVP_PKEY_RSA:
        if (EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) {
            *error = QStringLiteral("RSA key of %1 bits; JWT needs 2048 bits or more").arg(EVP_PKEY_get_bits(pkey.get()));
            return std::nullopt;
        }
        key.m_type = JwtKeyType::Rsa;
        break;
    case EVP_PKEY_EC: {
        const auto type = ecKeyType(pkey.get());
        if (!type) {
            *error = QStringLiteral("EC key on an unsupported curve; use P-256 (ES256) or P-384 (ES384)");
            return std::nullopt;
        }
        key.m_type = *type;
        break;
    }
    case EVP_PKEY_ED25519:
        key.m_type = JwtKeyType::Ed25519;
        break;
    default:
        *error = QStringLiteral("unsupported key type; use RSA, EC P-256/P-384 or Ed25519");
        return std::nullopt;
    }
    key.m_pkey = std::move(pkey);
    return key;
}

bool JwtKey::canSign() const
{
    return m_private;
}

bool JwtKey::suits(JwtAlgorithm algorithm) const
{
    return keyTypeFor(algorithm) == m_type && (!m_algorithm || *m_algorithm == algorithm);
}

} // namespace gatehouse::engine
