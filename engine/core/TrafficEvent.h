#pragma once

#include <QByteArray>
#include <QList>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <memory>

#include "engine/core/HeaderArchive.h"

namespace gatehouse::engine {

// One finished request, as the access log, the traffic view and the admin API see it.
// The access log never carries secrets: no Authorization, no cookies, no bodies. The headers
// stay in the worker's HeaderArchive (copied there once, no allocation) and are redacted when
// shown.
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
    QString authProfile; // the route's JWT profile, when it has one
    bool canary = false;
    bool rateLimited = false;
    QByteArray error; // gateway error code for gateway-made errors ("bad_gateway", ...)
    std::shared_ptr<const HeaderArchive> headers; // the worker's, where the refs below point
    HeaderArchive::Ref requestHeaders; // as the client sent them
    HeaderArchive::Ref responseHeaders; // as the upstream sent them; none for the gateway's own answers
};

// The access-log fields as one JSON object, and as the access log's line.
QJsonObject toAccessLogObject(const TrafficEvent &event);
QByteArray toAccessLogJson(const TrafficEvent &event);
// Authorization, Proxy-Authorization, Cookie and Set-Cookie: never shown, logged or exported as sent.
bool isSecretHeader(QByteArrayView name);
// Archived headers as a JSON object (lower-case names, repeated ones joined with ", "), with
// Authorization, cookies and proxy credentials replaced by "[redacted]".
QJsonObject redactedHeaders(const QByteArray &flattened);

} // namespace gatehouse::engine

Q_DECLARE_METATYPE(gatehouse::engine::TrafficEvent)
