#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace gatehouse::engine::http {

struct Header
{
    QByteArray name; // as received (case kept); compare case-insensitively
    QByteArray value; // leading/trailing whitespace trimmed
};

// The head of a request or a response, as parsed. Body framing is already decided by the parser.
struct MessageHead
{
    // request
    QByteArray method; // "GET"
    QByteArray target; // request-target as sent: "/a/b?x=1" or an absolute-form URL
    // response
    int status = 0;
    QByteArray reason;

    int versionMajor = 1;
    int versionMinor = 1;
    QList<Header> headers;

    bool keepAlive = true; // after version default and Connection header
    bool chunked = false; // Transfer-Encoding: chunked
    qint64 contentLength = -1; // -1 when absent
    bool upgrade = false; // Connection: upgrade + Upgrade header present (request), or 101 (response)

    // First value of a header (case-insensitive name), or a null QByteArray.
    QByteArray header(QByteArrayView name) const;
    // A cookie's value from the Cookie header(s), empty when absent.
    QByteArray cookie(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const { return !header(name).isNull(); }
};

} // namespace gatehouse::engine::http
