#include "Router.h"

namespace gatehouse::engine {

namespace {
using PathKind = profile::RouteMatch::PathKind;
} // namespace

bool hostMatches(const CompiledRoute &route, QByteArrayView host)
{
    if (route.exactHosts.isEmpty() && route.hostSuffixes.isEmpty()) {
        return true;
    }
    for (const QByteArray &exact : route.exactHosts) {
        if (host == exact) {
            return true;
        }
    }
    for (const QByteArray &suffix : route.hostSuffixes) {
        // "*.shop.test" matches "a.shop.test" and "a.b.shop.test", not "shop.test".
        if (host.size() > suffix.size() && host.endsWith(suffix)) {
            return true;
        }
    }
    return false;
}

bool headersMatch(const CompiledRoute &route, const QList<http::Header> &headers)
{
    for (const auto &[name, value] : route.headers) {
        bool found = false;
        for (const http::Header &header : headers) {
            if (http::equalsIgnoringCase(header.name, name) && header.value == value) {
                found = true;
                break;
            }
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

bool methodMatches(const CompiledRoute &route, QByteArrayView method)
{
    if (route.methods.isEmpty()) {
        return true;
    }
    for (const QByteArray &allowed : route.methods) {
        if (allowed == method) {
            return true;
        }
    }
    return false;
}

bool pathMatches(const CompiledRoute &route, QByteArrayView path)
{
    switch (route.pathKind) {
    case PathKind::Exact:
        return path == route.path;
    case PathKind::Prefix:
        // Segment-aware: /api/users matches /api/users and /api/users/42, not /api/usersX.
        return path.startsWith(route.path)
            && (path.size() == route.path.size() || path.at(route.path.size()) == '/');
    case PathKind::Regex:
        return route.regex.match(QString::fromUtf8(path)).hasMatch();
    }
    return false;
}

QByteArray strippedPath(const QByteArray &path, const QByteArray &prefix)
{
    if (prefix.isEmpty() || !path.startsWith(prefix)) {
        return path;
    }
    if (path.size() == prefix.size()) {
        return "/";
    }
    if (path.at(prefix.size()) != '/') {
        return path; // segment-aware, like route prefixes
    }
    return path.mid(prefix.size());
}

RouteDecision matchRoute(const GatewayConfig &config, QByteArrayView method, QByteArrayView host,
                         QByteArrayView path, const QList<http::Header> &headers)
{
    RouteDecision decision;
    for (const CompiledRoute &route : config.routes) {
        if (!pathMatches(route, path) || !hostMatches(route, host) || !headersMatch(route, headers)) {
            continue;
        }
        if (methodMatches(route, method)) {
            decision.route = &route;
            return decision;
        }
        for (const QByteArray &allowed : route.methods) {
            if (!decision.allowedMethods.contains(allowed)) {
                decision.allowedMethods.append(allowed);
            }
        }
    }
    return decision;
}

} // namespace gatehouse::engine
