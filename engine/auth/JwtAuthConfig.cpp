#include "JwtAuthConfig.h"

#include "engine/auth/JwtKeyLoader.h"

namespace gatehouse::engine {

namespace {

TokenSource parseSource(const QString &text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    const QStringView kind = QStringView(text).first(colon);
    TokenSource source;
    source.name = text.mid(colon + 1).toUtf8();
    if (kind == u"cookie") {
        source.kind = TokenSource::Kind::Cookie;
    } else if (kind == u"query") {
        source.kind = TokenSource::Kind::Query;
    } else {
        source.kind = TokenSource::Kind::Header;
        source.name = source.name.toLower();
    }
    return source;
}

} // namespace

std::optional<JwtAuthConfig> compileJwtAuth(const profile::JwtProfile &jwt, const QString &baseDir, SecretStore *secrets,
                                            const JwtAuthConfig *previous, QString *error)
{
    JwtAuthConfig config;
    config.name = jwt.name;
    for (const QString &source : jwt.tokenFrom) {
        config.sources.append(parseSource(source));
    }
    for (const auto &[claim, header] : jwt.claimsToHeaders) {
        config.claimsToHeaders.append({ claim, header.toLatin1() });
    }
    std::shared_ptr<const JwtKeySet> keys;
    if (hasRemoteJwks(jwt)) {
        config.jwksUrl = jwt.jwks;
        if (previous && previous->jwksUrl == jwt.jwks) {
            keys = previous->verifier->keys();
        }
    } else {
        JwtKeyLoad load = loadVerificationKeys(jwt, baseDir, secrets);
        if (!load.keys) {
            *error = QStringLiteral("JWT profile '%1': %2").arg(jwt.name, load.error);
            return std::nullopt;
        }
        keys = std::move(load.keys);
    }
    config.verifier = std::make_shared<JwtVerifier>(jwtRulesFor(jwt), std::move(keys));
    return config;
}

} // namespace gatehouse::engine
