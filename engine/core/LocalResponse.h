#pragma once

#include <QByteArray>

#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

// The bytes of a response the gateway makes itself. Errors are JSON
// {"error","message","request_id"} (SPEC §3); `respond` routes send their own body.
QByteArray renderLocalResponse(const LocalResponse &response, const QByteArray &requestId,
                               bool keepAlive, bool headRequest);

QByteArray reasonPhrase(int status);

} // namespace gatehouse::engine
