#pragma once

#include <QByteArray>

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

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
