#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace gatehouse::engine::http {

// ASCII-only case folding, lengths first: header names are tokens, so locale rules must not
// apply, and most names differ in length (the request path compares names many times).
inline bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        const char x = a[i];
        const char y = b[i];
        if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) {
            return false;
        }
    }
    return true;
}

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
