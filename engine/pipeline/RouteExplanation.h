#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace gatehouse::engine {

// Why one route, in precedence order, would or would not take a request.
struct RouteVerdict
{
    QString route;
    bool matches = false; // every condition holds
    bool chosen = false; // the one that serves the request
    QStringList reasons; // what failed; or, for a match, what it matched on
};

// The route tester's answer: what the gateway would do with a request, without sending it.
struct RouteExplanation
{
    QString error; // the request itself is malformed (bad URL); nothing else is set
    QList<RouteVerdict> routes;
    QString chosen; // empty: no route
    int status = 0; // 404 or 405 when no route takes it
    QList<QByteArray> allowedMethods; // for a 405
    QString upstream; // the chosen route's upstream, empty for a `respond` route
    int respondStatus = 0; // the chosen route's own answer, for `respond` routes
    QByteArray upstreamPath; // path and query as the upstream would see them
};

} // namespace gatehouse::engine
