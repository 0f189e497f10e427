#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include "engine/http/ResponseHead.h"

namespace gatehouse::engine::http {

// Every HTTP/1.1 head the engine sends is written here: the proxy's answers (local, upstream,
// 101, 100 Continue), requests to upstreams, the echo service's answers. Values reached these
// functions through the parser or the compiled profile, which refuse CR, LF and NUL.

QByteArray reasonPhrase(int status);

void appendHeaderLine(QByteArray &out, QByteArrayView name, QByteArrayView value);
// The status line, the header lines and the blank line that ends the head.
void appendResponseHead(QByteArray &out, const ResponseHead &head);
// "METHOD target HTTP/1.1", Host, then `headerLines` (each already ending in CRLF) and the blank line.
void appendRequestHead(QByteArray &out, QByteArrayView method, QByteArrayView target, QByteArrayView host,
                       QByteArrayView headerLines);

} // namespace gatehouse::engine::http
