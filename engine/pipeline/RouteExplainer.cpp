#include "RouteExplainer.h"

#include <QUrl>

#include "engine/pipeline/RequestTarget.h"
#include "engine/pipeline/Router.h"

namespace gatehouse::engine {

namespace {

using PathKind = profile::RouteMatch::PathKind;

QString latin1(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes);
}

QString joined(const QList<QByteArray> &items)
{
    QStringList out;
    for (const QByteArray &item : items) {
        out.append(latin1(item));
    }
    return out.join(QStringLiteral(", "));
}

QString pathRule(const CompiledRoute &route)
{
    switch (route.pathKind) {
    case PathKind::Exact: return QStringLiteral("path_exact %1").arg(latin1(route.path));
    case PathKind::Prefix: return QStringLiteral("path %1").arg(route.path.isEmpty() ? QStringLiteral("/") : latin1(route.path));
    case PathKind::Regex: return QStringLiteral("path_regex %1").arg(route.regex.pattern());
    }
    return {};
}

QStringList hostNames(const CompiledRoute &route)
{
    QStringList names;
    for (const QByteArray &exact : route.exactHosts) {
        names.append(latin1(exact));
    }
    for (const QByteArray &suffix : route.hostSuffixes) {
        names.append(QLatin1Char('*') + latin1(suffix));
    }
    return names;
}

// What failed, or (when nothing did) what the route matched on.
RouteVerdict judge(const CompiledRoute &route, const QByteArray &method, const QByteArray &host, const QByteArray &path,
                   const QList<http::Header> &headers)
{
    RouteVerdict verdict;
    verdict.route = route.name;
    QStringList failed;
    QStringList matched;
    if (pathMatches(route, path)) {
        matched.append(pathRule(route));
    } else {
        failed.append(QStringLiteral("path %1 does not match %2").arg(latin1(path), pathRule(route)));
    }
    if (!route.exactHosts.isEmpty() || !route.hostSuffixes.isEmpty()) {
        if (hostMatches(route, host)) {
            matched.append(QStringLiteral("host %1").arg(latin1(host)));
        } else {
            failed.append(QStringLiteral("host %1 is not %2")
                              .arg(host.isEmpty() ? QStringLiteral("(none)") : latin1(host), hostNames(route).join(QStringLiteral(" or "))));
        }
    }
    for (const auto &[name, value] : route.headers) {
        QByteArray seen;
        bool present = false;
        for (const http::Header &header : headers) {
            if (header.name.compare(name, Qt::CaseInsensitive) == 0) {
                present = true;
                seen = header.value;
                if (header.value == value) {
                    break;
                }
            }
        }
        if (present && seen == value) {
            matched.append(QStringLiteral("header %1: %2").arg(latin1(name), latin1(value)));
        } else if (present) {
            failed.append(QStringLiteral("header %1 is '%2', not '%3'").arg(latin1(name), latin1(seen), latin1(value)));
        } else {
            failed.append(QStringLiteral("header %1 is missing (needs '%2')").arg(latin1(name), latin1(value)));
        }
    }
    if (!route.methods.isEmpty()) {
        if (methodMatches(route, method)) {
            matched.append(QStringLiteral("method %1").arg(latin1(method)));
        } else {
            failed.append(QStringLiteral("method %1 is not %2").arg(latin1(method), joined(route.methods)));
        }
    }
    verdict.matches = failed.isEmpty();
    verdict.reasons = verdict.matches ? matched : failed;
    return verdict;
}

} // namespace

RouteExplanation explainRoute(const GatewayConfig &config, const QByteArray &method, const QString &url,
                              const QList<http::Header> &headers)
{
    RouteExplanation out;
    QByteArray target = url.trimmed().toUtf8();
    QByteArray host;
    if (!target.startsWith('/')) {
        const QUrl parsed(url.trimmed(), QUrl::StrictMode);
        if (!parsed.isValid() || (parsed.scheme() != QLatin1String("http") && parsed.scheme() != QLatin1String("https"))
            || parsed.host().isEmpty()) {
            out.error = QStringLiteral("not a URL: give http://host[:port]/path or a path starting with /");
            return out;
        }
        host = parsed.host(QUrl::FullyEncoded).toLower().toLatin1();
        target = parsed.path(QUrl::FullyEncoded).toLatin1();
        if (target.isEmpty()) {
            target = "/";
        }
        if (parsed.hasQuery()) {
            target += '?' + parsed.query(QUrl::FullyEncoded).toLatin1();
        }
    } else {
        for (const http::Header &header : headers) {
            if (header.name.compare("host", Qt::CaseInsensitive) == 0) {
                const qsizetype colon = header.value.lastIndexOf(':');
                host = (colon > 0 && !header.value.endsWith(']') ? header.value.left(colon) : header.value).toLower();
            }
        }
    }
    const RequestTarget parsedTarget = parseRequestTarget(target, { config.limits.allowSemicolons });
    if (parsedTarget.badPath) {
        out.error = QStringLiteral("the gateway refuses this path (400 bad_path): it holds %1")
                        .arg(QString::fromLatin1(parsedTarget.badPath));
        return out;
    }
    if (!parsedTarget.valid) {
        out.error = QStringLiteral("the path is not a valid request target");
        return out;
    }
    const QByteArray upperMethod = method.trimmed().toUpper();
    const RouteDecision decision = matchRoute(config, upperMethod, host, parsedTarget.path, headers);
    for (const CompiledRoute &route : config.routes) {
        RouteVerdict verdict = judge(route, upperMethod, host, parsedTarget.path, headers);
        verdict.chosen = decision.route == &route;
        if (verdict.matches && !verdict.chosen) {
            verdict.reasons = { QStringLiteral("also matches, but %1 comes first (more specific, or earlier in the file)").arg(out.chosen) };
        }
        if (verdict.chosen) {
            out.chosen = route.name;
        }
        out.routes.append(verdict);
    }
    if (!decision.route) {
        out.status = decision.allowedMethods.isEmpty() ? 404 : 405;
        out.allowedMethods = decision.allowedMethods;
        return out;
    }
    if (decision.route->responds) {
        out.respondStatus = decision.route->respondStatus;
    } else {
        out.upstream = config.upstreams.at(std::size_t(decision.route->upstream)).name;
    }
    out.upstreamPath = strippedPath(parsedTarget.path, decision.route->stripPrefix);
    if (!parsedTarget.query.isEmpty()) {
        out.upstreamPath += '?' + parsedTarget.query;
    }
    return out;
}

} // namespace gatehouse::engine
