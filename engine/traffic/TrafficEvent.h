#pragma once

#include <QByteArray>
#include <QList>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <memory>

#include "engine/config/SecretNames.h"
#include "engine/traffic/CaptureArchive.h"

namespace gatehouse::engine {

// One finished request, as the access log, the traffic view and the admin API see it.
// The access log never carries secrets: no Authorization, no cookies, no bodies. Headers and
// bodies stay in the worker's CaptureArchive (copied there once, no allocation); headers are
// redacted when shown, bodies are shown only in the app.
struct TrafficEvent
{
    qint64 timeMs = 0; // start, milliseconds since the epoch
    QByteArray requestId;
    QByteArray client; // ip:port
    QByteArray method;
    QByteArray host;
    QByteArray path; // as routed (normalised), with the query; token_from parameters redacted by the worker
    QString route;
    QString upstream;
    QString target; // the target URL that answered, when proxied
    int status = 0;
    qint64 bytesIn = 0; // request body bytes
    qint64 bytesOut = 0; // response body bytes
    double totalMs = 0;
    double upstreamMs = -1; // the answering attempt, connect included, to its response head; -1 when no upstream was asked
    double queueMs = -1; // request head read → first upstream attempt (routing, auth, limits, fault delays); -1: none
    double connectMs = -1; // the answering attempt's TCP (and TLS) connect; 0 on a pooled connection; -1: none
    int attempts = 0;
    QString consumer;
    QByteArray auth; // "ok", or why the token was refused ("expired", ...); empty on public routes
    QString authProfile; // the route's JWT profile, when it has one
    bool canary = false;
    bool rateLimited = false;
    QByteArray error; // gateway error code for gateway-made errors ("bad_gateway", ...)
    std::shared_ptr<const CaptureArchive> capture; // the worker's, where the refs below point
    CaptureArchive::Ref requestHeaders; // as the client sent them
    CaptureArchive::Ref responseHeaders; // as the upstream sent them, or as the gateway answered
    // Bodies, only when the app asked for them (BodyCapturePolicy): the request's as the client
    // sent it, the response's as the upstream (or the gateway) made it, before any gzip on the way.
    CaptureArchive::Ref requestBody;
    CaptureArchive::Ref responseBody;
    bool requestBodyTruncated = false; // what was kept is the first part of a larger body
    bool responseBodyTruncated = false;
    // The names the request's profile reads tokens from, redacted like Authorization wherever
    // headers are shown; null means the fixed credential headers alone.
    std::shared_ptr<const SecretNames> secrets;
};

// The access-log fields as one JSON object, and as the access log's line.
QJsonObject toAccessLogObject(const TrafficEvent &event);
QByteArray toAccessLogJson(const TrafficEvent &event);
// Those, and the headers the event's profile reads tokens from (`token_from`).
bool isSecretHeader(const TrafficEvent &event, QByteArrayView name);
// One of the event's archived header blocks as a JSON object (lower-case names, repeated ones
// joined with ", "), with the event's secret headers replaced by "[redacted]".
QJsonObject redactedHeaders(const TrafficEvent &event, const QByteArray &flattened);

} // namespace gatehouse::engine

Q_DECLARE_METATYPE(gatehouse::engine::TrafficEvent)
