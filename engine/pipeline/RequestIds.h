#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace gatehouse::engine {

// SPEC §6: a client's X-Request-ID is kept when it is 1-128 characters of [A-Za-z0-9._:-].
bool isSaneRequestId(QByteArrayView id);
QByteArray newRequestId(); // 32 lower-case hex characters

// W3C trace context: keeps the trace id and flags of a valid incoming traceparent and gives
// this hop a new span id; otherwise starts a new sampled trace.
QByteArray nextTraceparent(QByteArrayView incoming);

} // namespace gatehouse::engine
