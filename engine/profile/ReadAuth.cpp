// jwt and rate_limits: the profiles routes refer to by name.

#include "SectionReaders.h"

#include "Units.h"
#include "Values.h"

namespace gatehouse::profile::detail {

namespace {

void readAlgorithms(ReadContext &ctx, MapReader &map, QStringList &out)
{
    if (!map.require("algorithms")) {
        return;
    }
    QStringList seen;
    const bool ok = map.getStringList("algorithms", out, [&ctx, &seen](const YAML::Node &node, QString &alg) {
        if (!jwtAlgorithms().contains(alg)) {
            ctx.error(node, QStringLiteral("unsupported algorithm '%1'; use %2")
                                .arg(alg, jwtAlgorithms().join(QStringLiteral(", "))));
            return false;
        }
        if (seen.contains(alg)) {
            ctx.error(node, QStringLiteral("algorithm %1 is listed twice").arg(alg));
            return false;
        }
        seen.append(alg);
        return true;
    });
    if (ok && out.isEmpty()) {
        ctx.error(map.value("algorithms"), QStringLiteral("'algorithms' needs at least one algorithm"));
    }
}

void readAudience(MapReader &map, QStringList &out)
{
    const YAML::Node node = map.value("audience");
    if (!node.IsDefined()) {
        return;
    }
    if (node.IsSequence()) {
        map.getStringList("audience", out);
        return;
    }
    QString audience;
    if (map.getString("audience", audience)) {
        out = QStringList { audience };
    }
}

void checkKeys(ReadContext &ctx, MapReader &map, const JwtProfile &jwt)
{
    if (jwt.algorithms.isEmpty()) {
        return;
    }
    const bool hmac = std::any_of(jwt.algorithms.cbegin(), jwt.algorithms.cend(), isHmacAlgorithm);
    const bool asymmetric = !std::all_of(jwt.algorithms.cbegin(), jwt.algorithms.cend(), isHmacAlgorithm);
    const YAML::Node algorithms = map.value("algorithms");
    // One profile verifying both kinds invites algorithm confusion (an RSA public key used as an
    // HMAC secret), so the kinds are kept apart.
    if (hmac && asymmetric) {
        ctx.error(algorithms, QStringLiteral("do not mix HS* with RS/PS/ES/EdDSA algorithms in one JWT profile; "
                                             "define two profiles"));
        return;
    }
    if (hmac && !map.has("secret")) {
        ctx.error(algorithms, QStringLiteral("HS* algorithms need 'secret' (keychain:NAME, env:NAME or file:PATH)"));
    }
    if (hmac && (map.has("public_key") || map.has("jwks") || map.has("private_key"))) {
        const char *key = map.has("public_key") ? "public_key" : map.has("jwks") ? "jwks" : "private_key";
        ctx.error(map.keyNode(key), QStringLiteral("'%1' is for RS/PS/ES/EdDSA algorithms; HS* use 'secret'")
                                        .arg(QString::fromLatin1(key)));
    }
    if (asymmetric) {
        if (map.has("secret")) {
            ctx.error(map.keyNode("secret"), QStringLiteral("'secret' is for HS* algorithms; use 'public_key' or 'jwks'"));
        }
        if (!map.has("public_key") && !map.has("jwks")) {
            ctx.error(algorithms, QStringLiteral("RS/PS/ES/EdDSA algorithms need 'public_key' or 'jwks'"));
        } else if (map.has("public_key") && map.has("jwks")) {
            ctx.error(map.keyNode("jwks"), QStringLiteral("use either 'public_key' or 'jwks', not both"));
        }
    }
}

void readJwt(ReadContext &ctx, const YAML::Node &item, NameSet &names, QList<JwtProfile> &out)
{
    MapReader map(ctx, item, QStringLiteral("a JWT profile"),
                  { "name", "algorithms", "secret", "public_key", "jwks", "private_key", "issuer", "audience",
                    "leeway", "token_from", "claims_to_headers", "revocation_store" });
    if (!map.isMap()) {
        return;
    }
    JwtProfile jwt;
    jwt.pos = positionOf(item);
    names.read(ctx, map, jwt.name);
    readAlgorithms(ctx, map, jwt.algorithms);
    map.getSecret("secret", jwt.secret);
    map.getSecret("public_key", jwt.publicKey);
    QString error;
    if (map.getString("jwks", jwt.jwks) && !isValidJwks(jwt.jwks, &error)) {
        ctx.error(map.value("jwks"), error);
    }
    map.getSecret("private_key", jwt.privateKey);
    checkKeys(ctx, map, jwt);
    map.getString("issuer", jwt.issuer);
    readAudience(map, jwt.audience);
    map.getDuration("leeway", jwt.leeway);
    const bool sourcesOk = map.getStringList("token_from", jwt.tokenFrom, [&ctx](const YAML::Node &node, QString &text) {
        QString problem;
        if (!isValidTokenSource(text, &problem)) {
            ctx.error(node, problem);
            return false;
        }
        return true;
    });
    if (sourcesOk && jwt.tokenFrom.isEmpty()) {
        ctx.error(map.value("token_from"), QStringLiteral("'token_from' needs at least one source"));
    }
    map.getStringPairs("claims_to_headers", jwt.claimsToHeaders);
    for (const auto &[claim, header] : std::as_const(jwt.claimsToHeaders)) {
        if (!isHttpToken(header)) {
            const YAML::Node headers = map.value("claims_to_headers");
            ctx.error(headers[claim.toStdString()], QStringLiteral("invalid header name '%1'").arg(header));
        }
    }
    if (map.getString("revocation_store", jwt.revocationStore) && !isValidRateLimitStore(jwt.revocationStore, &error)) {
        ctx.error(map.value("revocation_store"), error);
    }
    out.append(jwt);
}

void readRateLimit(ReadContext &ctx, const YAML::Node &item, NameSet &names, QList<RateLimitProfile> &out)
{
    MapReader map(ctx, item, QStringLiteral("a rate limit"), { "name", "requests", "per", "burst", "key", "store", "fail" });
    if (!map.isMap()) {
        return;
    }
    RateLimitProfile limit;
    limit.pos = positionOf(item);
    names.read(ctx, map, limit.name);
    map.require("requests");
    map.getInt64("requests", limit.requests, 1, 1'000'000'000);
    map.getDuration("per", limit.per, Duration(1));
    map.getInt64("burst", limit.burst, 0, 1'000'000'000);
    QString error;
    if (map.getString("key", limit.key) && !isValidRateLimitKey(limit.key, &error)) {
        ctx.error(map.value("key"), error);
    }
    if (map.getString("store", limit.store) && !isValidRateLimitStore(limit.store, &error)) {
        ctx.error(map.value("store"), error);
    }
    QString fail;
    if (map.getString("fail", fail)) {
        if (fail != u"open" && fail != u"closed") {
            ctx.error(map.value("fail"), QStringLiteral("invalid fail '%1'; use open (serve while the store is unreachable) or closed").arg(fail));
        }
        limit.failClosed = fail == u"closed";
    }
    out.append(limit);
}

} // namespace

void readJwtProfiles(ReadContext &ctx, const YAML::Node &node, QList<JwtProfile> &out)
{
    NameSet names(QStringLiteral("JWT profile"));
    forEachItem(ctx, node, QStringLiteral("'jwt'"), [&](const YAML::Node &item) { readJwt(ctx, item, names, out); });
}

void readRateLimits(ReadContext &ctx, const YAML::Node &node, QList<RateLimitProfile> &out)
{
    NameSet names(QStringLiteral("rate limit"));
    forEachItem(ctx, node, QStringLiteral("'rate_limits'"),
                [&](const YAML::Node &item) { readRateLimit(ctx, item, names, out); });
}

} // namespace gatehouse::profile::detail
