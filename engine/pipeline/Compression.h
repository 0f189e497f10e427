#pragma once

#include <QByteArrayView>

#include "engine/http/HttpMessage.h"

namespace gatehouse::engine {

// Whether a response of this type is worth gzipping: text, JSON, JavaScript, XML, SVG, wasm.
// Never event streams (each event must arrive on its own) or already-compressed media.
bool isCompressibleType(QByteArrayView contentType);

// Whether the client's Accept-Encoding takes gzip (RFC 9110 §12.5.3: "gzip", "x-gzip" or "*"
// with a non-zero q).
bool acceptsGzip(QByteArrayView acceptEncoding);

// For a route with `compress: true`: gzip this response when the client takes gzip, the upstream
// did not encode it, its type is compressible and it has a body worth compressing.
bool shouldCompress(const http::MessageHead &request, const http::MessageHead &response);

} // namespace gatehouse::engine
