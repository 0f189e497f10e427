#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include "engine/auth/JwtAlgorithm.h"

struct evp_pkey_st; // OpenSSL's EVP_PKEY; OpenSSL itself stays in the .cpp files

namespace gatehouse::engine {

// One verification (or signing) key: an HMAC secret, or an RSA, EC or Ed25519 key parsed once
// when the profile loads. Immutable after construction, so workers share it without locks.
class JwtKey final
{
public:
    static JwtKey fromSecret(QByteArray secret);
    // A PEM public key, certificate, or private key (then it can sign too).
    static std::optional<JwtKey> fromPem(QByteArrayView pem, QString *error);
    // One JWK (RFC 7517): RSA, EC (P-256, P-384), OKP (Ed25519) public keys, or "oct" secrets.
    static std::optional<JwtKey> fromJwk(const QJsonObject &jwk, QString *error);

    JwtKeyType type() const { return m_type; }
    const QByteArray &kid() const { return m_kid; }
    bool canSign() const;
    // Whether this key may check `algorithm`: its type fits, and a JWK's own "alg" (when given)
    // names that algorithm.
    bool suits(JwtAlgorithm algorithm) const;

    bool verify(JwtAlgorithm algorithm, QByteArrayView signingInput, QByteArrayView signature) const;
    // The JOSE signature (raw r||s for ECDSA), or nothing when this key cannot sign.
    std::optional<QByteArray> sign(JwtAlgorithm algorithm, QByteArrayView signingInput) const;

private:
    JwtKey() = default;
    static std::optional<JwtKey> fromPkey(std::shared_ptr<evp_pkey_st> pkey, bool isPrivate, QString *error);

    JwtKeyType m_type = JwtKeyType::Hmac;
    QByteArray m_secret; // HMAC only
    std::shared_ptr<evp_pkey_st> m_pkey; // everything else
    bool m_private = false;
    QByteArray m_kid;
    std::optional<JwtAlgorithm> m_algorithm; // a JWK's "alg"
};

} // namespace gatehouse::engine
