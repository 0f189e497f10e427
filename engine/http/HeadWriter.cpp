#include "HeadWriter.h"

namespace gatehouse::engine::http {

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

void appendHeaderLine(QByteArray &out, QByteArrayView name, QByteArrayView value)
{
    out.append(name).append(": ").append(value).append("\r\n");
}

void appendResponseHead(QByteArray &out, const ResponseHead &head)
{
    out.append("HTTP/1.1 ").append(QByteArray::number(head.status)).append(' ');
    out.append(head.reason.isEmpty() ? reasonPhrase(head.status) : head.reason).append("\r\n");
    for (const Header &header : head.headers) {
        appendHeaderLine(out, header.name, header.value);
    }
    out.append("\r\n");
}

void appendRequestHead(QByteArray &out, QByteArrayView method, QByteArrayView target, QByteArrayView host,
                       QByteArrayView headerLines)
{
    out.reserve(out.size() + 32 + method.size() + target.size() + host.size() + headerLines.size());
    out.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
    out.append(headerLines).append("\r\n");
}

} // namespace gatehouse::engine::http
