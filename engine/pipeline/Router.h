#pragma once

#include <QByteArray>
#include <QList>

#include "engine/config/GatewayConfig.h"
#include "engine/http/HttpMessage.h"

namespace gatehouse::engine {

struct RouteDecision
{
    const CompiledRoute *route = nullptr;
    // No route: 404, unless some route matched everything but the method (405 + Allow).
    QList<QByteArray> allowedMethods;
};

// Picks the route for a request: routes are already in precedence order, so the first that
// matches wins. A pure function of the snapshot and the request.
RouteDecision matchRoute(const GatewayConfig &config, QByteArrayView method, QByteArrayView host,
                         QByteArrayView path, const QList<http::Header> &headers);

bool pathMatches(const CompiledRoute &route, QByteArrayView path);
bool hostMatches(const CompiledRoute &route, QByteArrayView host);
bool headersMatch(const CompiledRoute &route, const QList<http::Header> &headers);
bool methodMatches(const CompiledRoute &route, QByteArrayView method);
// The path an upstream sees: `strip_prefix` removed, segment-aware, "/" when nothing is left.
QByteArray strippedPath(const QByteArray &path, const QByteArray &prefix);

} // namespace gatehouse::engine
