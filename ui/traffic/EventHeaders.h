#pragma once

#include <optional>
#include <utility>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringView>

#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::ui {

// Header lines in the order they were sent, names spelled as sent.
using HeaderList = QList<std::pair<QString, QString>>;

// What the traffic view shows in place of a secret header's value.
QString redactedValue();

// Authorization, Proxy-Authorization, Cookie, Set-Cookie and the headers the event's profile reads
// tokens from (any case): the headers whose values the app never shows, copies or exports, the
// same engine::redactedHeaders() hides.
bool isSecretHeader(const engine::TrafficEvent &event, QStringView name);

// The archive's "name: value\r\n" lines as pairs, values unredacted (for code that must know
// what it hides, like the curl command's auth scheme); lines without a name are skipped.
HeaderList parseHeaderLines(const QByteArray &lines);

// The event's headers with secret values replaced by redactedValue(), or nothing when they are
// not available: the worker's archive has written over them since, they were never kept (the
// gateway was not observed, the head was too large, the gateway answered itself), or the event
// has no archive. headersUnavailableReason() says which.
std::optional<HeaderList> requestHeaders(const engine::TrafficEvent &event);
std::optional<HeaderList> responseHeaders(const engine::TrafficEvent &event);

// The unredacted request headers, for building a replay; never shown or exported as they are.
std::optional<HeaderList> rawRequestHeaders(const engine::TrafficEvent &event);

enum class HeaderSide { Request, Response };
// One sentence for the view when requestHeaders()/responseHeaders() returned nothing.
QString headersUnavailableReason(const engine::TrafficEvent &event, HeaderSide side);

} // namespace gatehouse::ui
