#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "engine/http/ResponseHead.h"

namespace gatehouse::engine {

// A response the gateway writes itself: an error (JSON, SPEC §3) or a `respond` route.
struct LocalResponse
{
    int status = 0;
    QByteArray error; // machine-readable code: "not_found", "bad_gateway", ...
    QString message; // for people; never contains secrets
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body; // when set, sent as is instead of the JSON error
    bool closeConnection = false;
};

// The head and body of a local answer before the response phase: errors are JSON
// {"error","message","request_id"} (SPEC §3); `respond` routes send their own body.
http::ResponseHead localResponseHead(const LocalResponse &response, const QByteArray &requestId, QByteArray &body);

// Whether a response with this status never has a body (RFC 9110 §6.4.1).
bool isBodylessStatus(int status);

// The framing headers of a local answer of `bodySize` bytes on an HTTP/1.1 connection.
void addLocalFraming(http::ResponseHead &head, qsizetype bodySize, bool keepAlive);

// The whole bytes of a local answer that no response phase touches (the admin API's).
QByteArray renderLocalResponse(const LocalResponse &response, const QByteArray &requestId,
                               bool keepAlive, bool headRequest);

} // namespace gatehouse::engine
