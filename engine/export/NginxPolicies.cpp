// RouteWriter's per-route policies: CORS, rate limits, and what nginx OSS cannot do.
#include "NginxRoutes.h"

#include <chrono>

#include "engine/export/NginxText.h"

namespace gatehouse::exporter::nginx {

namespace {

// The gateway's origin patterns (engine/config/CorsPolicy.cpp): '*' is one or more host
// characters, or the digits of a port after ':'. Compared case-insensitively.
QString originRegex(const QString &pattern)
{
    const qsizetype star = pattern.indexOf(QLatin1Char('*'));
    if (star < 0) {
        return QLatin1Char('^') + literalRegex(pattern) + QLatin1Char('$');
    }
    const QString prefix = pattern.left(star);
    const QString suffix = pattern.mid(star + 1);
    const QString middle = prefix.endsWith(QLatin1Char(':')) && suffix.isEmpty()
        ? QStringLiteral("[0-9]+")
        : QStringLiteral("[A-Za-z0-9.-]+");
    return QLatin1Char('^') + literalRegex(prefix) + middle + literalRegex(suffix)
        + QLatin1Char('$');
}

// nginx counts in whole requests per second or minute.
QString nginxRate(const profile::RateLimitProfile &limit, bool *exact)
{
    const qint64 perMs = std::max<qint64>(1, limit.per.count());
    *exact = true;
    if ((limit.requests * 1000) % perMs == 0) {
        return QStringLiteral("%1r/s").arg(limit.requests * 1000 / perMs);
    }
    if ((limit.requests * 60'000) % perMs == 0) {
        return QStringLiteral("%1r/m").arg(limit.requests * 60'000 / perMs);
    }
    *exact = false;
    return QStringLiteral("%1r/m").arg(
        std::max<qint64>(1, (limit.requests * 60'000 + perMs - 1) / perMs));
}

} // namespace

QString RouteWriter::note(const profile::Route &route, const QString &what, const QString &indent)
{
    const QString where = QStringLiteral("route ") + route.name;
    const QString key = where + QLatin1Char('\n') + what;
    QString text;
    if (m_noted.contains(key)) {
        text = QStringLiteral("not exported: %1: %2").arg(where, what);
    } else {
        m_noted.insert(key);
        text = m_notes.notExported(where, what);
    }
    return indent + QStringLiteral("# ") + text + QLatin1Char('\n');
}

QString RouteWriter::unexportedLines(const profile::Route &route, const QString &indent)
{
    QString out;
    if (!route.auth.isEmpty()) {
        out += note(route,
            QStringLiteral("auth %1 (JWT verification is not in nginx OSS)").arg(route.auth),
            indent);
    }
    if (!route.require.isEmpty()) {
        out += note(route, QStringLiteral("require (claim conditions)"), indent);
    }
    if (route.canary) {
        out += note(route,
            QStringLiteral("canary to %1 (%2%)")
                .arg(route.canary->upstream)
                .arg(route.canary->percent),
            indent);
    }
    if (route.fault) {
        out += note(route, QStringLiteral("fault injection"), indent);
    }
    if (route.respond && !route.rateLimit.isEmpty()) {
        out += note(route,
            QStringLiteral("rate_limit on a respond route (nginx's return runs before limit_req)"),
            indent);
    }
    return out;
}

QString RouteWriter::corsLines(const profile::Route &route, const QString &indent)
{
    if (!route.cors) {
        return {};
    }
    const profile::Cors &cors = *route.cors;
    const QString id = routeId(route);
    const QString origin = QStringLiteral("$gh_cors_origin_") + id;
    if (!m_defined.contains(origin)) {
        m_defined.insert(origin);
        QString map
            = QStringLiteral("# route %1: CORS\nmap $http_origin %2 {\n").arg(route.name, origin);
        for (const QString &pattern : cors.origins) {
            map += pattern == QLatin1String("*")
                ? QStringLiteral("    \"~.\" \"*\";\n")
                : QStringLiteral("    %1 $http_origin;\n")
                      .arg(quoted(QStringLiteral("~*") + originRegex(pattern)));
        }
        map += QStringLiteral("    default \"\";\n}\n");
        map += QStringLiteral("map \"$request_method $http_access_control_request_method %1\" "
                              "$gh_cors_preflight_%2 {\n"
                              "    \"~^OPTIONS \\\\S+ .\" 1;\n    default \"\";\n}\n")
                   .arg(origin, id);
        if (cors.credentials) {
            map += QStringLiteral(
                "map %1 $gh_cors_credentials_%2 {\n    \"\" \"\";\n    default \"true\";\n}\n")
                       .arg(origin, id);
        }
        m_http += map + QLatin1Char('\n');
    }
    QStringList methods = cors.methods.isEmpty() ? route.match.methods : cors.methods;
    if (methods.isEmpty()) {
        methods
            = QStringList { QStringLiteral("GET"), QStringLiteral("HEAD"), QStringLiteral("POST"),
                  QStringLiteral("PUT"), QStringLiteral("PATCH"), QStringLiteral("DELETE") };
    }
    const QString allowHeaders = cors.headers.isEmpty()
        ? QStringLiteral("$http_access_control_request_headers")
        : quoted(cors.headers.join(QStringLiteral(", ")));
    const QString in = indent + QStringLiteral("    ");
    QString out = indent + QStringLiteral("if ($gh_cors_preflight_%1) {\n").arg(id);
    out += in + QStringLiteral("add_header Access-Control-Allow-Origin %1 always;\n").arg(origin);
    out += in
        + QStringLiteral("add_header Access-Control-Allow-Methods %1 always;\n")
              .arg(quoted(methods.join(QStringLiteral(", "))));
    out += in
        + QStringLiteral("add_header Access-Control-Allow-Headers %1 always;\n").arg(allowHeaders);
    if (cors.credentials) {
        out += in
            + QStringLiteral(
                "add_header Access-Control-Allow-Credentials $gh_cors_credentials_%1 always;\n")
                  .arg(id);
    }
    const auto maxAge = std::chrono::duration_cast<std::chrono::seconds>(cors.maxAge).count();
    if (maxAge > 0) {
        out += in + QStringLiteral("add_header Access-Control-Max-Age %1 always;\n").arg(maxAge);
    }
    out += in + QStringLiteral("add_header Vary Origin always;\n");
    out += in + QStringLiteral("add_header X-Request-ID $gh_request_id always;\n");
    out += in + QStringLiteral("return 204;\n") + indent + QStringLiteral("}\n");
    out += indent
        + QStringLiteral("add_header Access-Control-Allow-Origin %1 always;\n").arg(origin);
    if (cors.credentials) {
        out += indent
            + QStringLiteral(
                "add_header Access-Control-Allow-Credentials $gh_cors_credentials_%1 always;\n")
                  .arg(id);
    }
    out += indent + QStringLiteral("add_header Vary Origin always;\n");
    return out;
}

QString RouteWriter::rateLimitLines(const profile::Route &route, const QString &indent)
{
    QString out;
    for (const QString &name : route.rateLimit) {
        const profile::RateLimitProfile *limit = nullptr;
        for (const profile::RateLimitProfile &l : m_profile.rateLimits) {
            if (l.name == name) {
                limit = &l;
            }
        }
        if (!limit) {
            continue;
        }
        if (limit->store != QLatin1String("local")) {
            out += note(route,
                QStringLiteral("rate_limit %1 in %2 (nginx keeps limits per process)")
                    .arg(name, limit->store),
                indent);
            continue;
        }
        QString key;
        if (limit->key == QLatin1String("ip")) {
            key = QStringLiteral("$binary_remote_addr");
        } else if (limit->key.startsWith(QLatin1String("header:"))) {
            key = headerVariable(limit->key.mid(7));
        } else if (limit->key == QLatin1String("route") || limit->key == QLatin1String("global")) {
            key = QStringLiteral("$gh_constant_key");
        } else {
            out += note(route,
                QStringLiteral("rate_limit %1 keyed by %2 (JWT consumers are not in nginx OSS)")
                    .arg(name, limit->key),
                indent);
            continue;
        }
        // Buckets are per route, except `global`: one for every route naming the limit.
        const QString zone = limit->key == QLatin1String("global")
            ? QStringLiteral("gh_") + ident(name)
            : QStringLiteral("gh_%1__%2").arg(ident(name), routeId(route));
        if (!m_defined.contains(zone)) {
            m_defined.insert(zone);
            bool exact = true;
            const QString rate = nginxRate(*limit, &exact);
            m_http += QStringLiteral("limit_req_zone %1 zone=%2:10m rate=%3;%4\n")
                          .arg(key, zone, rate,
                              exact ? QString()
                                    : QStringLiteral("   # %1 per %2, rounded up")
                                          .arg(limit->requests)
                                          .arg(duration(limit->per)));
        }
        // The gateway's bucket holds requests + burst; nginx lets 1 + burst through at once.
        const qint64 burst = limit->requests + limit->burst - 1;
        out += indent
            + (burst > 0
                    ? QStringLiteral("limit_req zone=%1 burst=%2 nodelay;\n").arg(zone).arg(burst)
                    : QStringLiteral("limit_req zone=%1;\n").arg(zone)); // nginx refuses burst=0
    }
    return out;
}

} // namespace gatehouse::exporter::nginx
