#include "HeadWriter.h"

#include <cstring>

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

namespace {

// Puts pieces into `out` after one resize: QByteArray::append pays a call and a capacity check
// per piece, and a head is dozens of pieces.
class Pieces
{
public:
    Pieces(QByteArray &out, qsizetype size)
    {
        const qsizetype start = out.size();
        out.resize(start + size);
        m_at = out.data() + start;
    }
    void put(QByteArrayView bytes)
    {
        std::memcpy(m_at, bytes.data(), std::size_t(bytes.size()));
        m_at += bytes.size();
    }

private:
    char *m_at;
};

qsizetype lineSize(const Header &header)
{
    return header.name.size() + header.value.size() + 4;
}

} // namespace

void appendHeaderLine(QByteArray &out, QByteArrayView name, QByteArrayView value)
{
    Pieces pieces(out, name.size() + value.size() + 4);
    pieces.put(name);
    pieces.put(": ");
    pieces.put(value);
    pieces.put("\r\n");
}

void appendResponseHead(QByteArray &out, const ResponseHead &head)
{
    const QByteArray status = QByteArray::number(head.status);
    const QByteArray reason = head.reason.isEmpty() ? reasonPhrase(head.status) : head.reason;
    qsizetype size = 9 + status.size() + 1 + reason.size() + 2 + 2;
    for (const Header &header : head.headers) {
        size += lineSize(header);
    }
    Pieces pieces(out, size);
    pieces.put("HTTP/1.1 ");
    pieces.put(status);
    pieces.put(" ");
    pieces.put(reason);
    pieces.put("\r\n");
    for (const Header &header : head.headers) {
        pieces.put(header.name);
        pieces.put(": ");
        pieces.put(header.value);
        pieces.put("\r\n");
    }
    pieces.put("\r\n");
}

void appendRequestHead(QByteArray &out, QByteArrayView method, QByteArrayView target, QByteArrayView host,
                       QByteArrayView headerLines)
{
    Pieces pieces(out, method.size() + 1 + target.size() + 17 + host.size() + 2 + headerLines.size() + 2);
    pieces.put(method);
    pieces.put(" ");
    pieces.put(target);
    pieces.put(" HTTP/1.1\r\nHost: ");
    pieces.put(host);
    pieces.put("\r\n");
    pieces.put(headerLines);
    pieces.put("\r\n");
}

} // namespace gatehouse::engine::http
