#include "NginxRoutes.h"

#include "engine/export/NginxText.h"
#include "engine/export/NginxUpstreams.h"
#include "engine/export/RouteOrder.h"

namespace gatehouse::exporter::nginx {

namespace {

const QString kRequestIdHeader = QStringLiteral("add_header X-Request-ID $gh_request_id always;\n");

QString methodsRegex(const QStringList &methods)
{
    QStringList escaped;
    for (const QString &method : methods) {
        escaped.append(literalRegex(method));
    }
    return QStringLiteral("^(?:%1)$").arg(escaped.join(QLatin1Char('|')));
}

} // namespace

QString errorBody(const QString &error, const QString &message)
{
    return QStringLiteral("{\"error\":\"%1\",\"message\":\"%2\",\"request_id\":\"$gh_request_id\"}")
        .arg(error, message);
}

RouteWriter::RouteWriter(const profile::Profile &profile, ExportNotes &notes)
    : m_profile(profile)
    , m_notes(notes)
{ }

QString RouteWriter::locations(const QList<Location> &plan)
{
    QString out;
    for (int i = 0; i < plan.size(); ++i) {
        out += locationBlock(plan.at(i), i);
    }
    // Where a location's candidates jump to (error_page ... = @NAME): each route once.
    for (int i = 0; i < m_namedRoutes.size(); ++i) {
        for (const profile::Route &route : m_profile.routes) {
            if (route.name == m_namedRoutes.at(i)) {
                out += QStringLiteral("    location @gh_route_%1 {\n").arg(routeId(route));
                out += routeBody(route, QStringLiteral("        "));
                out += QStringLiteral("    }\n\n");
            }
        }
    }
    out += QStringLiteral("    location @gh_404 {\n        %1        return 404 %2;\n    }\n\n")
               .arg(kRequestIdHeader,
                   quoted(errorBody(QStringLiteral("not_found"),
                       QStringLiteral("no route matches this request"))));
    if (!m_dispatches) {
        return out;
    }
    out += QStringLiteral(
        "    location @gh_405 {\n        add_header Allow $gh_allow always;\n        %1"
        "        return 405 %2;\n    }\n")
               .arg(kRequestIdHeader,
                   quoted(errorBody(QStringLiteral("method_not_allowed"),
                       QStringLiteral("method $request_method is not allowed here"))));
    return out;
}

QString RouteWriter::locationBlock(const Location &location, int index)
{
    QString out = QStringLiteral("    %1 {\n").arg(location.directive());
    if (location.candidates.isEmpty()) {
        out += QStringLiteral("        %1        return 404 %2;\n")
                   .arg(kRequestIdHeader,
                       quoted(errorBody(QStringLiteral("not_found"),
                           QStringLiteral("no route matches this request"))));
    } else if (location.candidates.size() == 1
        && location.candidates.first().route->match.hosts.isEmpty()
        && location.candidates.first().route->match.headers.isEmpty()
        && !location.candidates.first().checkPath) {
        // One route and at most a method condition: the route's directives right here.
        const profile::Route &route = *location.candidates.first().route;
        out += methodCheck(route, QStringLiteral("        "));
        out += routeBody(route, QStringLiteral("        "));
    } else {
        out += dispatch(location, index);
    }
    out += QStringLiteral("    }\n\n");
    return out;
}

QString RouteWriter::methodCheck(const profile::Route &route, const QString &indent)
{
    if (route.match.methods.isEmpty()) {
        return {};
    }
    return indent
        + QStringLiteral("if (%1 !~ %2) {\n")
              .arg(methodVariable(route), quoted(methodsRegex(route.match.methods)))
        + indent
        + QStringLiteral("    add_header Allow %1 always;\n")
              .arg(quoted(route.match.methods.join(QStringLiteral(", "))))
        + indent + QStringLiteral("    ") + kRequestIdHeader + indent
        + QStringLiteral("    return 405 %1;\n")
              .arg(quoted(errorBody(QStringLiteral("method_not_allowed"),
                  QStringLiteral("method $request_method is not allowed here"))))
        + indent + QStringLiteral("}\n");
}

// The first candidate whose conditions hold takes the request (map regexes are tried in order);
// else 405 with the methods of the candidates that matched all but the method; else 404.
QString RouteWriter::dispatch(const Location &location, int index)
{
    m_dispatches = true;
    QString key;
    QList<int> withMethods;
    for (int i = 0; i < location.candidates.size(); ++i) {
        const Candidate &c = location.candidates.at(i);
        // ${name}: a literal "2" may follow, which nginx would read as part of the name.
        key += unconditional(c)
            ? QStringLiteral("2")
            : QStringLiteral("${") + okVariable(*c.route, c.checkPath).mid(1) + QLatin1Char('}');
        if (!c.route->match.methods.isEmpty()) {
            withMethods.append(i);
        }
    }
    const QString pick = QStringLiteral("$gh_pick_%1").arg(index);
    QString map
        = QStringLiteral("# %1\nmap %2 %3 {\n").arg(location.directive(), quoted(key), pick);
    QString allowMap = QStringLiteral("map %1 $gh_allow_%2 {\n").arg(quoted(key)).arg(index);
    for (int i = 0; i < location.candidates.size(); ++i) {
        const profile::Route &route = *location.candidates.at(i).route;
        map += QStringLiteral("    %1 gh_route_%2;   # route %3\n")
                   .arg(quoted(
                            QStringLiteral("~^") + QString(i, QLatin1Char('.')) + QLatin1Char('2')),
                       routeId(route), route.name);
        if (!m_namedRoutes.contains(route.name)) {
            m_namedRoutes.append(route.name);
        }
    }
    // 405: which candidates matched all but the method decides Allow, as the gateway collects it.
    const int subsets = withMethods.size() <= 4 ? (1 << withMethods.size()) : 0;
    for (int mask = 1; mask < subsets; ++mask) {
        QString pattern(location.candidates.size(), QLatin1Char('.'));
        QStringList allow;
        for (int b = 0; b < withMethods.size(); ++b) {
            const bool in = mask & (1 << b);
            pattern[withMethods.at(b)] = in ? QLatin1Char('1') : QLatin1Char('0');
            if (in) {
                for (const QString &m :
                    location.candidates.at(withMethods.at(b)).route->match.methods) {
                    if (!allow.contains(m)) {
                        allow.append(m);
                    }
                }
            }
        }
        map += QStringLiteral("    %1 gh_405;\n")
                   .arg(quoted(QStringLiteral("~^") + pattern + QLatin1Char('$')));
        allowMap += QStringLiteral("    %1 %2;\n")
                        .arg(quoted(QStringLiteral("~^") + pattern + QLatin1Char('$')),
                            quoted(allow.join(QStringLiteral(", "))));
    }
    if (subsets == 0 && !withMethods.isEmpty()) {
        QStringList allow;
        for (int i : withMethods) {
            for (const QString &m : location.candidates.at(i).route->match.methods) {
                if (!allow.contains(m)) {
                    allow.append(m);
                }
            }
        }
        map += QStringLiteral("    \"~1\" gh_405;\n");
        allowMap
            += QStringLiteral("    \"~1\" %1;\n").arg(quoted(allow.join(QStringLiteral(", "))));
    }
    map += QStringLiteral("    default gh_404;\n}\n");
    allowMap += QStringLiteral("    default \"\";\n}\n\n");
    m_http += map + allowMap;
    return QStringLiteral("        set $gh_allow $gh_allow_%1;\n"
                          "        error_page 418 = @%2;\n"
                          "        return 418;\n")
        .arg(index)
        .arg(pick);
}

QString RouteWriter::routeId(const profile::Route &route)
{
    if (const auto it = m_ids.constFind(&route); it != m_ids.constEnd()) {
        return *it;
    }
    QString id = ident(route.name);
    const QStringList taken = m_ids.values();
    for (int n = 2; taken.contains(id); ++n) {
        id = ident(route.name) + QStringLiteral("_%1").arg(n);
    }
    m_ids.insert(&route, id);
    return id;
}

QString RouteWriter::methodVariable(const profile::Route &route)
{
    // A CORS preflight is judged by the method it announces, as the gateway's route match does.
    if (!route.cors) {
        return QStringLiteral("$request_method");
    }
    if (!m_usesCorsMethod) {
        m_usesCorsMethod = true;
        m_http += QStringLiteral("# a CORS preflight's method is the one it announces\n"
                                 "map \"$request_method $http_access_control_request_method "
                                 "$http_origin\" $gh_cors_method {\n"
                                 "    \"~^OPTIONS (?<gh_announced>\\\\S+) .+$\" $gh_announced;\n"
                                 "    default $request_method;\n}\n\n");
    }
    return QStringLiteral("$gh_cors_method");
}

QString RouteWriter::okVariable(const profile::Route &route, bool checkPath)
{
    const QString id = routeId(route);
    const QString name = (checkPath ? QStringLiteral("$gh_okp_") : QStringLiteral("$gh_ok_")) + id;
    if (m_defined.contains(name)) {
        return name;
    }
    m_defined.insert(name);
    QString flags;
    QString blocks;
    // The flag maps are shared by a route's two variables (with and without the path check).
    auto define = [this, &blocks](const QString &variable, const QString &text) {
        if (!m_defined.contains(variable)) {
            m_defined.insert(variable);
            blocks += text;
        }
    };
    if (checkPath) {
        define(QStringLiteral("$gh_path_") + id,
            QStringLiteral("map $uri $gh_path_%1 {\n    %2 1;\n    default 0;\n}\n")
                .arg(id, quoted(QLatin1Char('~') + route.match.path)));
        flags += QStringLiteral("${gh_path_") + id + QLatin1Char('}');
    }
    if (!route.match.hosts.isEmpty()) {
        QString map = QStringLiteral("map $host $gh_host_%1 {\n    hostnames;\n").arg(id);
        for (const QString &host : route.match.hosts) {
            map += QStringLiteral("    %1 1;\n").arg(quoted(host));
        }
        define(QStringLiteral("$gh_host_") + id, map + QStringLiteral("    default 0;\n}\n"));
        flags += QStringLiteral("${gh_host_") + id + QLatin1Char('}');
    }
    for (int j = 0; j < route.match.headers.size(); ++j) {
        const auto &[header, value] = route.match.headers.at(j);
        const QString variable = QStringLiteral("$gh_header_%1_%2").arg(id).arg(j);
        define(variable,
            QStringLiteral("map %1 %2 {\n    %3 1;\n    default 0;\n}\n")
                .arg(headerVariable(header), variable,
                    quoted(QStringLiteral("~^") + literalRegex(value) + QLatin1Char('$'))));
        flags += QStringLiteral("${") + variable.mid(1) + QLatin1Char('}');
    }
    const QString all(flags.count(QLatin1Char('$')), QLatin1Char('1'));
    const QStringList &methods = route.match.methods;
    if (methods.isEmpty()) {
        blocks += QStringLiteral("map %1 %2 {\n    %3 2;\n    default 0;\n}\n\n")
                      .arg(quoted(flags), name, quoted(all));
    } else {
        const QString methodsPattern = methodsRegex(methods).mid(1); // without '^'
        blocks += QStringLiteral("map %1 %2 {\n    %3 2;\n    %4 1;\n    default 0;\n}\n\n")
                      .arg(quoted(flags + QLatin1Char(':') + methodVariable(route)), name,
                          quoted(QStringLiteral("~^") + all + QLatin1Char(':') + methodsPattern),
                          quoted(QStringLiteral("~^") + all + QLatin1Char(':')));
    }
    m_http
        += QStringLiteral("# route %1: \"2\" takes the request, \"1\" all but the method match\n")
               .arg(route.name)
        + blocks;
    return name;
}

QString RouteWriter::routeBody(const profile::Route &route, const QString &indent)
{
    QString out = indent + QStringLiteral("# route %1\n").arg(route.name);
    out += unexportedLines(route, indent);
    out += corsLines(route, indent);
    out += rateLimitLines(route, indent);
    if (route.compress) {
        out += indent + QStringLiteral("gzip on;\n") + indent
            + QStringLiteral("gzip_proxied any;\n") + indent + QStringLiteral("gzip_vary on;\n")
            + indent
            + QStringLiteral(
                "gzip_types text/plain text/css text/javascript text/xml text/csv application/json "
                "application/javascript application/x-javascript application/xml application/wasm "
                "image/svg+xml application/x-ndjson application/graphql-response+json;\n");
    }
    out += route.respond ? respondLines(route, indent) : proxyLines(route, indent);
    return out;
}

QString RouteWriter::proxyLines(const profile::Route &route, const QString &indent)
{
    QString out;
    const QString strip = normalisedPrefix(route.stripPrefix);
    if (!strip.isEmpty()) {
        // Segment-aware like the gateway: "/api" strips "/api" and "/api/x", never "/apix".
        out += indent
            + QStringLiteral("rewrite %1 / break;\n")
                  .arg(quoted(QLatin1Char('^') + literalRegex(strip) + QLatin1Char('$')));
        out += indent
            + QStringLiteral("rewrite %1 $1 break;\n")
                  .arg(quoted(QLatin1Char('^') + literalRegex(strip) + QStringLiteral("(/.*)$")));
    }
    const profile::Upstream *upstream = nullptr;
    for (const profile::Upstream &u : m_profile.upstreams) {
        if (u.name == route.upstream) {
            upstream = &u;
        }
    }
    if (!upstream) {
        return out;
    }
    out += indent
        + QStringLiteral("proxy_pass %1://%2;\n").arg(upstreamScheme(*upstream), upstream->name);
    out += upstreamProxyDirectives(*upstream, m_profile.baseDir, indent);
    out += indent + QStringLiteral("proxy_read_timeout %1;\n").arg(duration(route.timeout));
    out += indent + QStringLiteral("proxy_send_timeout %1;\n").arg(duration(route.timeout));
    if (route.retries > 0) {
        // nginx retries a non-idempotent method only when the request was not sent (a refused
        // connection), as the gateway does.
        out += indent
            + QStringLiteral("proxy_next_upstream error timeout http_502 http_503 http_504;\n");
        out += indent + QStringLiteral("proxy_next_upstream_tries %1;\n").arg(route.retries + 1);
    } else {
        out += indent + QStringLiteral("proxy_next_upstream off;\n");
    }
    out += indent + kRequestIdHeader;
    return out;
}

QString RouteWriter::respondLines(const profile::Route &route, const QString &indent)
{
    QString out;
    QString contentType = QStringLiteral("application/json");
    QString location;
    // nginx's `return` takes a redirect's URL where other statuses take the body.
    const int status = route.respond->status;
    const bool redirect
        = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    for (const auto &[name, value] : route.respond->headers) {
        if (name.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0) {
            contentType = value;
        } else if (redirect && name.compare(QLatin1String("Location"), Qt::CaseInsensitive) == 0) {
            location = value;
        } else {
            out += indent
                + QStringLiteral("add_header %1 %2 always;\n").arg(quoted(name), quotedText(value));
        }
    }
    out += indent + kRequestIdHeader;
    out = indent + QStringLiteral("default_type %1;\n").arg(quoted(contentType)) + out;
    const QString text = redirect ? location : QString::fromUtf8(route.respond->body);
    out += indent + QStringLiteral("return %1 %2;\n").arg(status).arg(quotedText(text));
    return out;
}

} // namespace gatehouse::exporter::nginx
