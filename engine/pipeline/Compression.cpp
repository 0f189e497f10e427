#include "Compression.h"

#include <QList>

namespace gatehouse::engine {

namespace {

// Below this a gzip header and trailer (18 bytes) eat most of the gain.
constexpr qint64 kMinCompressBytes = 256;

QByteArrayView mediaType(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
}

} // namespace

using http::equalsIgnoringCase;

bool isCompressibleType(QByteArrayView contentType)
{
    const QByteArray type = mediaType(contentType).toByteArray().toLower();
    if (type == "text/event-stream") {
        return false;
    }
    static const QList<QByteArrayView> exact { "application/json", "application/javascript", "application/x-javascript",
                                                "application/xml", "application/wasm", "image/svg+xml",
                                                "application/x-ndjson", "application/graphql-response+json" };
    return type.startsWith("text/") || type.endsWith("+json") || type.endsWith("+xml") || exact.contains(QByteArrayView(type));
}

bool acceptsGzip(QByteArrayView acceptEncoding)
{
    bool gzip = false;
    bool gzipRefused = false;
    bool any = false;
    for (const QByteArray &item : acceptEncoding.toByteArray().split(',')) {
        const QList<QByteArray> parts = item.split(';');
        const QByteArray coding = parts.first().trimmed();
        bool refused = false;
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray parameter = parts.at(i).trimmed();
            if (parameter.startsWith("q=") || parameter.startsWith("Q=")) {
                refused = parameter.mid(2).toDouble() <= 0.0;
            }
        }
        if (equalsIgnoringCase(coding, "gzip") || equalsIgnoringCase(coding, "x-gzip")) {
            (refused ? gzipRefused : gzip) = true;
        } else if (coding == "*") {
            any = !refused;
        }
    }
    return gzip || (any && !gzipRefused);
}

bool shouldCompress(const http::MessageHead &request, const http::MessageHead &response)
{
    if (request.method == "HEAD" || response.status < 200 || response.status == 204 || response.status == 206
        || response.status == 304) {
        return false;
    }
    if (response.contentLength >= 0 && response.contentLength < kMinCompressBytes) {
        return false;
    }
    const QByteArray encoding = response.header("content-encoding");
    if (!encoding.isEmpty() && !equalsIgnoringCase(encoding, "identity")) {
        return false;
    }
    return isCompressibleType(response.header("content-type")) && acceptsGzip(request.header("accept-encoding"));
}

} // namespace gatehouse::engine
