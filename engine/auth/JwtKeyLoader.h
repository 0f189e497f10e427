#pragma once

#include <memory>
#include <optional>

#include <QByteArrayView>
#include <QString>

#include "engine/auth/JwtKey.h"
#include "engine/auth/JwtVerifier.h"
#include "engine/profile/Profile.h"

namespace gatehouse::engine {

class SecretStore;

// Turns a JWT profile's key settings into parsed keys, once, when the profile loads.

struct JwtKeyLoad
{
    std::shared_ptr<const JwtKeySet> keys; // null on error, and for a JWKS URL (fetched later)
    QString error; // names the reference or file, never a secret
};

JwtRules jwtRulesFor(const profile::JwtProfile &jwt);
bool hasRemoteJwks(const profile::JwtProfile &jwt);
// From `secret`, `public_key` or a `jwks: file:` document.
JwtKeyLoad loadVerificationKeys(const profile::JwtProfile &jwt, const QString &baseDir, SecretStore *store);
// For minting test tokens: the secret (HS*) or `private_key`.
std::optional<JwtKey> loadSigningKey(const profile::JwtProfile &jwt, const QString &baseDir, SecretStore *store,
                                     QString *error);
// A JWK Set (RFC 7517 §5). Keys for encryption or of unknown types are skipped; a set with no
// usable signing key is an error.
std::shared_ptr<const JwtKeySet> parseJwks(QByteArrayView json, QString *error);

} // namespace gatehouse::engine
