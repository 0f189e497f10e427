#include "LocalResponse.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace gatehouse::engine {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 421: return "Misdirected Request";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
    }
}

QByteArray renderLocalResponse(const LocalResponse &response, const QByteArray &requestId,
                               bool keepAlive, bool headRequest, LocalResponseLayout *layout)
{
    QByteArray body = response.body;
    const bool isJsonError = body.isEmpty() && !response.error.isEmpty();
    if (isJsonError) {
        const QJsonObject error { { QStringLiteral("error"), QString::fromLatin1(response.error) },
                                  { QStringLiteral("message"), response.message },
                                  { QStringLiteral("request_id"), QString::fromLatin1(requestId) } };
        body = QJsonDocument(error).toJson(QJsonDocument::Compact);
    }
    QByteArray out;
    out.reserve(256 + body.size());
    out.append("HTTP/1.1 ").append(QByteArray::number(response.status)).append(' ');
    out.append(reasonPhrase(response.status)).append("\r\n");
    const qsizetype headerLines = out.size();
    bool hasContentType = false;
    for (const auto &[name, value] : response.headers) {
        hasContentType = hasContentType || name.compare("content-type", Qt::CaseInsensitive) == 0;
        out.append(name).append(": ").append(value).append("\r\n");
    }
    if (isJsonError && !hasContentType) {
        out.append("Content-Type: application/json\r\n");
    }
    const bool bodyless = response.status == 204 || response.status == 304 || response.status < 200;
    if (!bodyless) {
        out.append("Content-Length: ").append(QByteArray::number(body.size())).append("\r\n");
    }
    out.append("X-Request-ID: ").append(requestId).append("\r\n");
    if (!keepAlive) {
        out.append("Connection: close\r\n");
    }
    out.append("\r\n");
    if (layout) {
        *layout = { headerLines, out.size() };
    }
    if (!headRequest && !bodyless) {
        out.append(body);
    }
    return out;
}

} // namespace gatehouse::engine
