#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

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

// The bytes of a response the gateway makes itself. Errors are JSON
// {"error","message","request_id"} (SPEC §3); `respond` routes send their own body.
// Where the rendered bytes' header lines (after the status line) and body start.
struct LocalResponseLayout
{
    qsizetype headerLines = 0;
    qsizetype body = 0;
};
QByteArray renderLocalResponse(const LocalResponse &response, const QByteArray &requestId,
                               bool keepAlive, bool headRequest, LocalResponseLayout *layout = nullptr);

QByteArray reasonPhrase(int status);

} // namespace gatehouse::engine
