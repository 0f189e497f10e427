#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

namespace gatehouse::engine {

// One finished request, as the access log, the traffic view and the admin API see it.
// Never carries secrets: no Authorization, no cookies, no bodies.
struct TrafficEvent
{
    qint64 timeMs = 0; // start, milliseconds since the epoch
    QByteArray requestId;
    QByteArray client; // ip:port
    QByteArray method;
    QByteArray host;
    QByteArray path; // as routed (normalised), with the query
    QString route;
    QString upstream;
    QString target; // the target URL that answered, when proxied
    int status = 0;
    qint64 bytesIn = 0; // request body bytes
    qint64 bytesOut = 0; // response body bytes
    double totalMs = 0;
    double upstreamMs = -1; // -1 when no upstream was asked
    int attempts = 0;
    QString consumer;
    QByteArray auth; // "ok", or why the token was refused ("expired", ...); empty on public routes
    bool canary = false;
    bool rateLimited = false;
    QByteArray error; // gateway error code for gateway-made errors ("bad_gateway", ...)
};

QByteArray toAccessLogJson(const TrafficEvent &event);

} // namespace gatehouse::engine

Q_DECLARE_METATYPE(gatehouse::engine::TrafficEvent)
