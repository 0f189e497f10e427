#pragma once

#include <QByteArrayView>

#include "engine/http/HttpMessage.h"
#include "engine/http/ParseStatus.h"

namespace gatehouse::engine::http {

// What a head says about its connection and body, besides its fields.
struct HeadFacts
{
    qint64 contentLength = -1;
    bool transferEncoding = false; // any Transfer-Encoding
    bool chunked = false; // chunked is the final transfer coding
    bool connectionClose = false;
    bool connectionKeepAlive = false;
    bool connectionUpgrade = false;
    bool upgradeHeader = false;
};

struct ScanError
{
    ParseStatus status = ParseStatus::Ok;
    const char *text = "";
};

// One pass over a whole head (start line to the blank line, inclusive; `raw` ends with
// "\r\n\r\n" and holds no earlier one): checks it under SPEC §3's rules (no bare CR or LF, no
// folding, no space before a colon, one Host, one Content-Length, only "chunked" requests,
// never both framings, a sane target) and fills `head`'s start-line fields and headers, values
// trimmed, reusing the header entries and their buffers of the connection's last message.
ScanError scanHead(QByteArrayView raw, bool request, MessageHead &head, HeadFacts &facts);

// The methods we know; others are answered 501 (RFC 9110 §9.1).
bool isKnownMethod(QByteArrayView method);

} // namespace gatehouse::engine::http
