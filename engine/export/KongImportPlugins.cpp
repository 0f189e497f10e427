// decK plugins and consumers -> the profile: jwt (consumers' jwt_secrets become JWT profiles),
// rate-limiting (rate-limit profiles), cors, request-termination (`respond`), file-log
// (access_log). The inverse of KongPlugins.cpp. Everything else is reported, not guessed.
#include <QRegularExpression>

#include "engine/export/KongImportContext.h"
#include "engine/profile/Values.h"

namespace gatehouse::exporter::kongimport {

namespace {

QString where(const profile::Route &route)
{
    return QStringLiteral("route ") + route.name;
}

// "authorization" -> "Authorization", "x-api-token" -> "X-Api-Token": the exporter lower-cases.
QString headerCase(const QString &name)
{
    QStringList parts = name.split(QLatin1Char('-'));
    for (QString &part : parts) {
        if (!part.isEmpty()) {
            part[0] = part[0].toUpper();
        }
    }
    return parts.join(QLatin1Char('-'));
}

void applyJwt(ImportContext &ctx, profile::Route &route, const YAML::Node &plugin)
{
    const YAML::Node config = child(plugin, "config");
    ctx.unknownKeys(config,
        { "key_claim_name", "claims_to_verify", "header_names", "cookie_names", "uri_param_names",
            "run_on_preflight", "secret_is_base64", "maximum_expiration", "anonymous" },
        where(route) + QStringLiteral(": jwt"));
    if (ctx.profile.jwt.isEmpty()) {
        ctx.notMapped(plugin,
            where(route)
                + QStringLiteral(": jwt (no consumer has a jwt_secret the profile can take)"));
        return;
    }
    // Kong's jwt plugin takes any consumer's key; a route names one JWT profile.
    route.auth = ctx.profile.jwt.first().name;
    if (ctx.profile.jwt.size() > 1) {
        ctx.notMapped(plugin,
            where(route)
                + QStringLiteral(": jwt accepts every consumer's key; the route takes %1 only")
                      .arg(route.auth));
    }
    const QString claim = text(child(config, "key_claim_name"));
    if (!claim.isEmpty() && claim != QLatin1String("iss")) {
        ctx.notMapped(child(config, "key_claim_name"),
            where(route)
                + QStringLiteral(": jwt key_claim_name %1 (keys are found by iss)").arg(claim));
    }
    if (boolean(child(config, "secret_is_base64"), false)) {
        ctx.notMapped(child(config, "secret_is_base64"),
            where(route) + QStringLiteral(": jwt secret_is_base64"));
    }
    if (number(ctx, child(config, "maximum_expiration"), 0).value_or(0) > 0) {
        ctx.notMapped(child(config, "maximum_expiration"),
            where(route) + QStringLiteral(": jwt maximum_expiration"));
    }
    if (!text(child(config, "anonymous")).isEmpty()) {
        ctx.notMapped(child(config, "anonymous"), where(route) + QStringLiteral(": jwt anonymous"));
    }
    // Kong's defaults: the Authorization header and the `jwt` query parameter.
    QStringList from;
    const QStringList headers = child(config, "header_names").IsDefined()
        ? texts(child(config, "header_names"))
        : QStringList { QStringLiteral("authorization") };
    const QStringList query = child(config, "uri_param_names").IsDefined()
        ? texts(child(config, "uri_param_names"))
        : QStringList { QStringLiteral("jwt") };
    for (const QString &h : headers) {
        from.append(QStringLiteral("header:") + headerCase(h));
    }
    for (const QString &c : texts(child(config, "cookie_names"))) {
        from.append(QStringLiteral("cookie:") + c);
    }
    for (const QString &q : query) {
        from.append(QStringLiteral("query:") + q);
    }
    profile::JwtProfile &jwt = ctx.profile.jwt.first();
    if (!from.isEmpty()) {
        jwt.tokenFrom = from;
    }
}

// "600 per minute" -> requests 600, per 1m: the first window Kong counts, the others reported.
void applyRateLimiting(ImportContext &ctx, profile::Route &route, const YAML::Node &plugin)
{
    const YAML::Node config = child(plugin, "config");
    const QString w = where(route) + QStringLiteral(": rate-limiting");
    ctx.unknownKeys(config,
        { "second", "minute", "hour", "day", "month", "year", "limit_by", "header_name", "policy",
            "redis_host", "redis_port", "redis_database", "redis", "fault_tolerant",
            "hide_client_headers", "error_code", "error_message", "redis_timeout", "redis_password",
            "redis_username", "redis_ssl", "redis_ssl_verify", "redis_server_name", "sync_rate",
            "path" },
        w);
    profile::RateLimitProfile limit;
    const std::pair<const char *, qint64> windows[] = { { "second", 1000 }, { "minute", 60'000 },
        { "hour", 3'600'000 }, { "day", 86'400'000 } };
    bool found = false;
    for (const auto &[unit, ms] : windows) {
        const YAML::Node value = child(config, unit);
        if (!value.IsDefined() || value.IsNull()) {
            continue;
        }
        if (found) {
            ctx.notMapped(value,
                w
                    + QStringLiteral(": a second window (%1: %2); one per limit")
                          .arg(QString::fromLatin1(unit), text(value)));
            continue;
        }
        found = true;
        limit.requests = qint64(number(ctx, value, 0).value_or(0));
        limit.per = profile::Duration(ms);
    }
    for (const char *unit : { "month", "year" }) {
        if (child(config, unit).IsDefined() && !child(config, unit).IsNull()) {
            ctx.notMapped(child(config, unit),
                w + QStringLiteral(": %1 window").arg(QString::fromLatin1(unit)));
        }
    }
    if (!found || limit.requests <= 0) {
        ctx.notMapped(plugin, w + QStringLiteral(" without a second, minute, hour or day limit"));
        return;
    }
    const QString by = text(child(config, "limit_by")).isEmpty() ? QStringLiteral("consumer")
                                                                 : text(child(config, "limit_by"));
    if (by == QLatin1String("consumer") || by == QLatin1String("credential")) {
        limit.key = QStringLiteral("consumer");
    } else if (by == QLatin1String("ip")) {
        limit.key = QStringLiteral("ip");
    } else if (by == QLatin1String("service")) {
        limit.key = QStringLiteral("route"); // one service per route in an export
    } else if (by == QLatin1String("header") && !text(child(config, "header_name")).isEmpty()) {
        limit.key = QStringLiteral("header:") + text(child(config, "header_name"));
    } else {
        ctx.notMapped(child(config, "limit_by"), w + QStringLiteral(": limit_by %1").arg(by));
        return;
    }
    const QString policy = text(child(config, "policy")).isEmpty() ? QStringLiteral("local")
                                                                   : text(child(config, "policy"));
    if (policy == QLatin1String("redis")) {
        // Kong 3.0-3.5 keeps redis_* flat; later versions nest them under `redis`.
        const YAML::Node nested = child(config, "redis");
        const auto field = [&](const char *flat, const char *inner) {
            return child(config, flat).IsDefined() && !child(config, flat).IsNull()
                ? child(config, flat)
                : child(nested, inner);
        };
        const QString host = text(field("redis_host", "host"));
        if (host.isEmpty()) {
            ctx.notMapped(
                child(config, "policy"), w + QStringLiteral(": policy redis without redis_host"));
            return;
        }
        const int port = int(number(ctx, field("redis_port", "port"), 6379).value_or(6379));
        const int db = int(number(ctx, field("redis_database", "database"), 0).value_or(0));
        limit.store = QStringLiteral("redis://%1:%2/%3").arg(host).arg(port).arg(db);
        if (!text(field("redis_password", "password")).isEmpty()) {
            ctx.notMapped(
                field("redis_password", "password"), w + QStringLiteral(": redis_password"));
        }
    } else if (policy != QLatin1String("local")) {
        ctx.notMapped(child(config, "policy"),
            w + QStringLiteral(": policy %1 (counted locally)").arg(policy));
    }
    limit.failClosed = !boolean(child(config, "fault_tolerant"), true);
    const QString code = text(child(config, "error_code"));
    if (!code.isEmpty() && code != QLatin1String("429")) {
        ctx.notMapped(child(config, "error_code"),
            w + QStringLiteral(": error_code %1 (the gateway answers 429)").arg(code));
    }
    if (boolean(child(config, "hide_client_headers"), false)) {
        ctx.notMapped(
            child(config, "hide_client_headers"), w + QStringLiteral(": hide_client_headers"));
    }
    // One rate-limit profile per distinct limit, named after what it counts.
    for (const profile::RateLimitProfile &existing : ctx.profile.rateLimits) {
        profile::RateLimitProfile same = limit;
        same.name = existing.name;
        same.pos = existing.pos;
        if (same == existing) {
            route.rateLimit.append(existing.name);
            return;
        }
    }
    const QString unit = limit.per.count() == 1000 ? QStringLiteral("second")
        : limit.per.count() == 60'000              ? QStringLiteral("minute")
        : limit.per.count() == 3'600'000           ? QStringLiteral("hour")
                                                   : QStringLiteral("day");
    const QString base = safeName(QStringLiteral("%1-%2-per-%3")
                                      .arg(limit.key.section(QLatin1Char(':'), -1).toLower())
                                      .arg(limit.requests)
                                      .arg(unit));
    limit.name = base;
    for (int n = 2; std::any_of(ctx.profile.rateLimits.cbegin(), ctx.profile.rateLimits.cend(),
             [&](const profile::RateLimitProfile &l) { return l.name == limit.name; });
         ++n) {
        limit.name = QStringLiteral("%1-%2").arg(base).arg(n);
    }
    ctx.profile.rateLimits.append(limit);
    route.rateLimit.append(limit.name);
}

void applyCors(ImportContext &ctx, profile::Route &route, const YAML::Node &plugin)
{
    const YAML::Node config = child(plugin, "config");
    const QString w = where(route) + QStringLiteral(": cors");
    ctx.unknownKeys(config,
        { "origins", "methods", "headers", "credentials", "max_age", "exposed_headers",
            "preflight_continue", "private_network" },
        w);
    profile::Cors cors;
    const YAML::Node origins = child(config, "origins");
    const QStringList values = texts(origins);
    for (int i = 0; i < values.size(); ++i) {
        QString origin = values.at(i);
        // The exporter's wildcard origins: "https://[A-Za-z0-9.-]+\.example\.test".
        origin.replace(QStringLiteral("[A-Za-z0-9.-]+"), QStringLiteral("*"));
        origin.replace(QStringLiteral("\\."), QStringLiteral("."));
        origin.replace(QStringLiteral("\\-"), QStringLiteral("-"));
        if (!profile::isValidCorsOrigin(origin) && !(origin.contains(QLatin1String("://*.")))) {
            ctx.notMapped(
                origins[std::size_t(i)], w + QStringLiteral(": origin %1").arg(values.at(i)));
            continue;
        }
        cors.origins.append(origin);
    }
    if (cors.origins.isEmpty()) {
        cors.origins.append(QStringLiteral("*")); // Kong's default: any origin
    }
    cors.methods = texts(child(config, "methods"));
    cors.headers = texts(child(config, "headers"));
    cors.credentials = boolean(child(config, "credentials"), false);
    cors.maxAge
        = profile::Duration(qint64(number(ctx, child(config, "max_age"), 0).value_or(0)) * 1000);
    if (!texts(child(config, "exposed_headers")).isEmpty()) {
        ctx.notMapped(child(config, "exposed_headers"), w + QStringLiteral(": exposed_headers"));
    }
    if (boolean(child(config, "preflight_continue"), false)) {
        ctx.notMapped(
            child(config, "preflight_continue"), w + QStringLiteral(": preflight_continue"));
    }
    route.cors = cors;
}

void applyTermination(ImportContext &ctx, profile::Route &route, const YAML::Node &plugin)
{
    const YAML::Node config = child(plugin, "config");
    ctx.unknownKeys(config, { "status_code", "content_type", "body", "message", "echo", "trigger" },
        where(route) + QStringLiteral(": request-termination"));
    profile::Respond respond;
    respond.status = int(number(ctx, child(config, "status_code"), 503).value_or(503));
    QString contentType = text(child(config, "content_type"));
    if (child(config, "body").IsDefined() && !child(config, "body").IsNull()) {
        respond.body = text(child(config, "body")).toUtf8();
    } else {
        // Kong answers {"message": MESSAGE} (its default message for the status) as JSON.
        const QString message = text(child(config, "message"));
        respond.body = QStringLiteral("{\"message\":\"%1\"}")
                           .arg(message.isEmpty() ? QStringLiteral("Service unavailable") : message)
                           .toUtf8();
        contentType = QStringLiteral("application/json; charset=utf-8");
    }
    if (!contentType.isEmpty()) {
        respond.headers.append({ QStringLiteral("Content-Type"), contentType });
    }
    if (boolean(child(config, "echo"), false) || !text(child(config, "trigger")).isEmpty()) {
        ctx.notMapped(plugin, where(route) + QStringLiteral(": request-termination echo/trigger"));
    }
    route.respond = respond;
    route.upstream.clear();
    route.stripPrefix.clear();
}

} // namespace

void applyPlugins(ImportContext &ctx, profile::Route &route, const QList<YAML::Node> &plugins)
{
    // The most specific plugin of each name wins (Kong's precedence: route over service over
    // global). Indexes, not nodes: assigning a YAML::Node writes into the document it refers to.
    QList<qsizetype> chosen;
    for (qsizetype i = 0; i < plugins.size(); ++i) {
        const QString name = text(plugins.at(i)["name"]);
        bool overridden = false;
        for (qsizetype j = i + 1; j < plugins.size(); ++j) {
            overridden = overridden || text(plugins.at(j)["name"]) == name;
        }
        // request-termination first: it takes the upstream away, and a limit still applies to it.
        if (!overridden) {
            if (name == QLatin1String("request-termination")) {
                chosen.prepend(i);
            } else {
                chosen.append(i);
            }
        }
    }
    for (const qsizetype index : std::as_const(chosen)) {
        const YAML::Node &plugin = plugins.at(index);
        const QString name = text(child(plugin, "name"));
        ctx.unknownKeys(plugin,
            { "name", "config", "enabled", "id", "tags", "protocols", "route", "service",
                "instance_name", "created_at", "updated_at" },
            where(route) + QStringLiteral(": plugin ") + name);
        if (!boolean(child(plugin, "enabled"), true)) {
            ctx.notMapped(
                plugin, where(route) + QStringLiteral(": plugin %1 (disabled)").arg(name));
        } else if (name == QLatin1String("jwt")) {
            applyJwt(ctx, route, plugin);
        } else if (name == QLatin1String("rate-limiting")) {
            applyRateLimiting(ctx, route, plugin);
        } else if (name == QLatin1String("cors")) {
            applyCors(ctx, route, plugin);
        } else if (name == QLatin1String("request-termination")) {
            applyTermination(ctx, route, plugin);
        } else if (name == QLatin1String("key-auth")) {
            ctx.notMapped(plugin,
                where(route) + QStringLiteral(": plugin key-auth (profiles have no API keys)"));
        } else {
            ctx.notMapped(plugin, where(route) + QStringLiteral(": plugin %1").arg(name));
        }
    }
}

bool applyGlobalPlugin(ImportContext &ctx, const YAML::Node &plugin)
{
    if (text(child(plugin, "name")) != QLatin1String("file-log")) {
        return false;
    }
    const YAML::Node config = child(plugin, "config");
    ctx.unknownKeys(
        config, { "path", "reopen", "custom_fields_by_lua" }, QStringLiteral("file-log"));
    if (!text(child(config, "path")).isEmpty()) {
        profile::AccessLog log;
        log.file = text(child(config, "path"));
        ctx.profile.accessLog = log;
    }
    return true;
}

void readConsumers(ImportContext &ctx, const YAML::Node &consumers)
{
    for (const YAML::Node &consumer : consumers) {
        const QString name = safeName(text(child(consumer, "username")).isEmpty()
                ? text(child(consumer, "custom_id"))
                : text(child(consumer, "username")));
        const QString w = QStringLiteral("consumer ") + name;
        ctx.unknownKeys(
            consumer, { "username", "custom_id", "id", "tags", "jwt_secrets", "created_at" }, w);
        const YAML::Node secrets = child(consumer, "jwt_secrets");
        if (!secrets.IsDefined() || !secrets.IsSequence() || secrets.size() == 0) {
            ctx.notMapped(
                consumer, w + QStringLiteral(" (no jwt_secrets; consumers are not profiles)"));
            continue;
        }
        int n = 0;
        for (const YAML::Node &secret : secrets) {
            ++n;
            ctx.unknownKeys(secret,
                { "key", "algorithm", "secret", "rsa_public_key", "id", "tags" },
                w + QStringLiteral(": jwt_secret"));
            profile::JwtProfile jwt;
            jwt.name = n == 1 ? name : QStringLiteral("%1-%2").arg(name).arg(n);
            const QString algorithm = text(child(secret, "algorithm")).isEmpty()
                ? QStringLiteral("HS256")
                : text(child(secret, "algorithm"));
            if (!profile::jwtAlgorithms().contains(algorithm)) {
                ctx.notMapped(child(secret, "algorithm"),
                    w + QStringLiteral(": algorithm %1").arg(algorithm));
                continue;
            }
            jwt.algorithms = { algorithm };
            jwt.issuer = text(child(secret, "key"));
            const bool hmac = profile::isHmacAlgorithm(algorithm);
            const YAML::Node keyNode
                = hmac ? child(secret, "secret") : child(secret, "rsa_public_key");
            if (const auto ref = secretFromVault(text(keyNode))) {
                (hmac ? jwt.secret : jwt.publicKey) = *ref;
            } else {
                // A secret's value never goes in a profile: it is left to the environment.
                const QString env
                    = safeName(jwt.name).toUpper().replace(QLatin1Char('-'), QLatin1Char('_'))
                    + (hmac ? QStringLiteral("_JWT_SECRET") : QStringLiteral("_JWT_PUBLIC_KEY"));
                (hmac ? jwt.secret : jwt.publicKey) = { profile::SecretRef::Kind::Env, env };
                ctx.notMapped(keyNode.IsDefined() ? keyNode : secret,
                    w
                        + QStringLiteral(": a key that is not a {vault://env/...} reference "
                                         "(the profile refers to env:%1 instead)")
                              .arg(env));
            }
            ctx.profile.jwt.append(jwt);
        }
    }
}

} // namespace gatehouse::exporter::kongimport
