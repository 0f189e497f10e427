#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>

#include "engine/auth/JwtVerifier.h"
#include "engine/auth/RedisRevocationStore.h"
#include "engine/profile/Profile.h"

namespace gatehouse::engine {

class SecretStore;

// Where a route's token is looked for (`token_from`), in the profile's order.
struct TokenSource
{
    enum class Kind { Header, Cookie, Query };
    Kind kind = Kind::Header;
    QByteArray name; // header names lower case; cookie and query names as written
};

// One JWT profile, compiled when the profile loads: keys parsed, sources and claim headers
// ready for the request path.
struct JwtAuthConfig
{
    QString name;
    std::shared_ptr<JwtVerifier> verifier;
    QList<TokenSource> sources;
    QList<std::pair<QString, QByteArray>> claimsToHeaders; // claim, header name as written
    QString jwksUrl; // set when the keys come from an http(s) JWK Set, fetched in the background
    // `revocation_store: redis://…`: revocations shared with other gateways; null for `local`
    // (the gateway's own list, which every JWT route consults anyway).
    std::shared_ptr<RedisRevocationStore> sharedRevocations;
};

// `previous` (the same profile in the running snapshot) lends its fetched JWKS keys when the
// URL did not change, so a reload never leaves a route without keys.
std::optional<JwtAuthConfig> compileJwtAuth(const profile::JwtProfile &jwt, const QString &baseDir, SecretStore *secrets,
                                            const JwtAuthConfig *previous, QString *error);

} // namespace gatehouse::engine
