#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>

namespace gatehouse::engine {

// The JWS algorithms Gatehouse verifies (RFC 7518 §3, RFC 8037). `none` is deliberately absent.
enum class JwtAlgorithm { HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA };

// What kind of key an algorithm needs. Each algorithm accepts exactly one kind, which is what
// keeps an RSA public key from ever being used as an HMAC secret (algorithm confusion).
enum class JwtKeyType { Hmac, Rsa, EcP256, EcP384, Ed25519 };

std::optional<JwtAlgorithm> jwtAlgorithmFromName(QByteArrayView name);
QByteArray jwtAlgorithmName(JwtAlgorithm algorithm);
JwtKeyType keyTypeFor(JwtAlgorithm algorithm);
// OpenSSL digest name ("SHA256"); nullptr for EdDSA, which hashes internally.
const char *digestNameFor(JwtAlgorithm algorithm);
bool isRsaPss(JwtAlgorithm algorithm);
// Bytes of one ECDSA coordinate (r or s) in the JOSE signature: 32 for ES256, 48 for ES384.
int ecCoordinateSize(JwtKeyType type);

} // namespace gatehouse::engine
