// routes: how a request is matched and what happens to it.

#include "SectionReaders.h"

#include "Values.h"

#include <QRegularExpression>

namespace gatehouse::profile::detail {

namespace {

// Methods are case-sensitive tokens on the wire; profiles accept any case and store upper case.
std::function<bool(const YAML::Node &, QString &)> methodCheck(ReadContext &ctx, QStringList &seen)
{
    return [&ctx, &seen](const YAML::Node &node, QString &text) {
        if (!isHttpToken(text)) {
            ctx.error(node, QStringLiteral("invalid method '%1'").arg(text));
            return false;
        }
        text = text.toUpper();
        if (seen.contains(text)) {
            ctx.error(node, QStringLiteral("method %1 is listed twice").arg(text));
            return false;
        }
        seen.append(text);
        return true;
    };
}

std::function<bool(const YAML::Node &, const QString &)> headerNameCheck(ReadContext &ctx)
{
    return [&ctx](const YAML::Node &node, const QString &name) {
        if (!isHttpToken(name)) {
            ctx.error(node, QStringLiteral("invalid header name '%1'").arg(name));
            return false;
        }
        return true;
    };
}

void readMatch(ReadContext &ctx, const YAML::Node &node, RouteMatch &match)
{
    MapReader map(ctx, node, QStringLiteral("'match'"), { "path", "path_exact", "path_regex", "methods", "hosts", "headers" });
    if (!map.isMap()) {
        return;
    }
    struct Kind
    {
        const char *key;
        RouteMatch::PathKind kind;
    };
    const Kind kinds[] = { { "path", RouteMatch::PathKind::Prefix },
                           { "path_exact", RouteMatch::PathKind::Exact },
                           { "path_regex", RouteMatch::PathKind::Regex } };
    const char *chosen = nullptr;
    for (const Kind &kind : kinds) {
        if (!map.has(kind.key)) {
            continue;
        }
        if (chosen) {
            ctx.error(map.keyNode(kind.key), QStringLiteral("'match' takes only one of path, path_exact and "
                                                            "path_regex; '%1' is already set").arg(QString::fromLatin1(chosen)));
            continue;
        }
        chosen = kind.key;
        QString path;
        if (!map.getString(kind.key, path)) {
            continue;
        }
        const YAML::Node value = map.value(kind.key);
        if (kind.kind == RouteMatch::PathKind::Regex) {
            const QRegularExpression regex(path);
            if (!regex.isValid()) {
                ctx.error(value, QStringLiteral("invalid path_regex: %1 at offset %2")
                                     .arg(regex.errorString()).arg(regex.patternErrorOffset()));
                continue;
            }
        } else if (!path.startsWith(u'/')) {
            ctx.error(value, QStringLiteral("'%1' must start with '/'").arg(QString::fromLatin1(kind.key)));
            continue;
        }
        match.pathKind = kind.kind;
        match.path = path;
    }

    QStringList methods;
    map.getStringList("methods", match.methods, methodCheck(ctx, methods));
    QStringList hosts;
    map.getStringList("hosts", match.hosts, [&ctx, &hosts](const YAML::Node &host, QString &text) {
        text = text.toLower();
        if (!isHostPattern(text)) {
            ctx.error(host, QStringLiteral("invalid host '%1'; use a name like api.test or a wildcard like *.shop.test").arg(text));
            return false;
        }
        if (hosts.contains(text)) {
            ctx.error(host, QStringLiteral("host %1 is listed twice").arg(text));
            return false;
        }
        hosts.append(text);
        return true;
    });
    map.getStringPairs("headers", match.headers, headerNameCheck(ctx));
}

std::optional<Respond> readRespond(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'respond'"), { "status", "headers", "body" });
    Respond respond;
    map.getInt("status", respond.status, 100, 599);
    map.getStringPairs("headers", respond.headers, headerNameCheck(ctx));
    QString body;
    if (map.getString("body", body)) {
        respond.body = body.toUtf8();
    }
    return respond;
}

std::optional<Canary> readCanary(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'canary'"), { "upstream", "percent", "header", "users" });
    Canary canary;
    if (map.require("upstream") && map.getString("upstream", canary.upstream)) {
        ctx.references.append(Reference { Reference::Kind::Upstream, canary.upstream, map.value("upstream") });
    }
    map.getNumber("percent", canary.percent, 0.0, 100.0);
    if (map.getString("header", canary.header) && !isHttpToken(canary.header)) {
        ctx.error(map.value("header"), QStringLiteral("invalid header name '%1'").arg(canary.header));
    }
    map.getStringList("users", canary.users);
    return canary;
}

std::optional<Cors> readCors(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'cors'"), { "origins", "methods", "headers", "credentials", "max_age" });
    Cors cors;
    map.getStringList("origins", cors.origins, [&ctx](const YAML::Node &origin, QString &text) {
        if (!isValidCorsOrigin(text)) {
            ctx.error(origin, QStringLiteral("invalid origin '%1'; use \"*\", scheme://host[:port], https://*.domain or http://host:*").arg(text));
            return false;
        }
        return true;
    });
    QStringList methods;
    map.getStringList("methods", cors.methods, methodCheck(ctx, methods));
    map.getStringList("headers", cors.headers, [&ctx](const YAML::Node &header, QString &text) {
        if (!isHttpToken(text)) {
            ctx.error(header, QStringLiteral("invalid header name '%1'").arg(text));
            return false;
        }
        return true;
    });
    map.getBool("credentials", cors.credentials);
    map.getDuration("max_age", cors.maxAge);
    // Browsers refuse credentials with a wildcard origin, so this configuration could never work.
    if (cors.credentials && cors.origins.contains(QStringLiteral("*"))) {
        ctx.error(map.value("credentials"), QStringLiteral("'credentials: true' cannot be combined with origin \"*\"; list the origins"));
    }
    return cors;
}

std::optional<Fault> readFault(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'fault'"), { "delay", "delay_percent", "abort_status", "abort_percent" });
    Fault fault;
    map.getDuration("delay", fault.delay);
    map.getNumber("delay_percent", fault.delayPercent, 0.0, 100.0);
    map.getInt("abort_status", fault.abortStatus, 400, 599);
    map.getNumber("abort_percent", fault.abortPercent, 0.0, 100.0);
    if (fault.delayPercent > 0 && fault.delay.count() == 0 && !map.has("delay")) {
        ctx.error(map.keyNode("delay_percent"), QStringLiteral("'delay_percent' needs 'delay'"));
    }
    if (fault.abortPercent > 0 && !map.has("abort_status")) {
        ctx.error(map.keyNode("abort_percent"), QStringLiteral("'abort_percent' needs 'abort_status'"));
    }
    // `fault: { delay: 2s }` means every request: a fault that never fires is no one's intent.
    if (map.has("delay") && !map.has("delay_percent")) {
        fault.delayPercent = 100.0;
    }
    if (map.has("abort_status") && !map.has("abort_percent")) {
        fault.abortPercent = 100.0;
    }
    return fault;
}

// The prefix only ever applies when the matched path starts with it, segment by segment.
bool isSegmentPrefix(const QString &prefix, const QString &path)
{
    if (prefix == u"/" || prefix == path) {
        return true;
    }
    const QString trimmed = prefix.endsWith(u'/') ? prefix.chopped(1) : prefix;
    return path.startsWith(trimmed) && (path.size() == trimmed.size() || path.at(trimmed.size()) == u'/');
}

void readRoute(ReadContext &ctx, const YAML::Node &item, NameSet &names, QList<Route> &out)
{
    MapReader map(ctx, item, QStringLiteral("a route"),
                  { "name", "match", "strip_prefix", "upstream", "respond", "timeout", "retries", "auth", "require",
                    "rate_limit", "canary", "cors", "compress", "fault", "enabled" });
    if (!map.isMap()) {
        return;
    }
    Route route;
    route.pos = positionOf(item);
    names.read(ctx, map, route.name);
    map.getBool("enabled", route.enabled);
    if (map.has("match")) {
        readMatch(ctx, map.value("match"), route.match);
    }
    if (map.getString("strip_prefix", route.stripPrefix)) {
        const YAML::Node value = map.value("strip_prefix");
        if (!route.stripPrefix.startsWith(u'/')) {
            ctx.error(value, QStringLiteral("'strip_prefix' must start with '/'"));
        } else if (route.match.pathKind != RouteMatch::PathKind::Regex
                   && !isSegmentPrefix(route.stripPrefix, route.match.path)) {
            ctx.error(value, QStringLiteral("strip_prefix %1 is not a prefix of the route's path %2")
                                 .arg(route.stripPrefix, route.match.path));
        }
    }

    const bool hasUpstream = map.has("upstream");
    const bool hasRespond = map.has("respond");
    if (hasUpstream && hasRespond) {
        ctx.error(map.keyNode("respond"), QStringLiteral("a route has either 'upstream' or 'respond', not both"));
    } else if (!hasUpstream && !hasRespond) {
        ctx.error(item, QStringLiteral("route '%1' needs 'upstream' or 'respond'").arg(route.name));
    }
    if (map.getString("upstream", route.upstream)) {
        ctx.references.append(Reference { Reference::Kind::Upstream, route.upstream, map.value("upstream") });
    }
    if (hasRespond) {
        route.respond = readRespond(ctx, map.value("respond"));
    }
    map.getDuration("timeout", route.timeout, Duration(1));
    map.getInt("retries", route.retries, 0, 10);
    if (map.getString("auth", route.auth)) {
        ctx.references.append(Reference { Reference::Kind::Jwt, route.auth, map.value("auth") });
    }
    map.getStringPairs("require", route.require);
    if (map.has("require") && !map.has("auth")) {
        ctx.error(map.keyNode("require"), QStringLiteral("'require' checks token claims, so the route needs 'auth'"));
    }
    QStringList seen;
    map.getStringList("rate_limit", route.rateLimit, [&ctx, &seen](const YAML::Node &node, QString &name) {
        if (seen.contains(name)) {
            ctx.error(node, QStringLiteral("rate limit '%1' is listed twice").arg(name));
            return false;
        }
        seen.append(name);
        ctx.references.append(Reference { Reference::Kind::RateLimit, name, node });
        return true;
    });
    if (map.has("canary")) {
        route.canary = readCanary(ctx, map.value("canary"));
        if (hasRespond && !hasUpstream) {
            ctx.error(map.keyNode("canary"), QStringLiteral("'canary' needs a route with an 'upstream'"));
        } else if (!route.upstream.isEmpty() && route.canary->upstream == route.upstream) {
            const YAML::Node canary = map.value("canary");
            ctx.error(canary["upstream"], QStringLiteral("the canary upstream must differ from the route's upstream"));
        }
    }
    if (map.has("cors")) {
        route.cors = readCors(ctx, map.value("cors"));
    }
    map.getBool("compress", route.compress);
    if (map.has("fault")) {
        route.fault = readFault(ctx, map.value("fault"));
    }
    out.append(route);
}

} // namespace

void readRoutes(ReadContext &ctx, const YAML::Node &node, QList<Route> &out)
{
    NameSet names(QStringLiteral("route"));
    forEachItem(ctx, node, QStringLiteral("'routes'"), [&](const YAML::Node &item) { readRoute(ctx, item, names, out); });
}

} // namespace gatehouse::profile::detail
