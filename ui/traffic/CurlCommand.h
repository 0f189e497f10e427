#pragma once

#include <QString>

#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::ui {

// Single-quotes `text` for POSIX shells ('it'\''s').
QString shellQuote(const QString &text);

// A curl command line that repeats the request against `baseUrl` (the listener it came in on,
// "http://127.0.0.1:8080"): method, path and query, and the request headers the gateway kept,
// less those curl sets itself or that belong to one hop. Credentials are never copied out of
// the app: Authorization and Cookie become "$TOKEN" / "$COOKIE" shell variables the user sets.
// A request body captured whole as text is sent with --data-binary; any other body gets a
// comment saying why it is not repeated.
QString curlCommand(const engine::TrafficEvent &event, const QString &baseUrl);

} // namespace gatehouse::ui
