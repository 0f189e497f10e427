#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include "engine/http/BodyFilter.h"
#include "engine/http/HttpMessage.h"
#include "engine/http/ResponseHead.h"

namespace gatehouse::engine {

class ExchangeOwner;

// How an upstream's answer reaches an HTTP/1.1 client: with its length when it is known, else
// re-chunked (a body filter changes the length, or the upstream did not say), or ended by the
// close for an HTTP/1.0 client. Bytes are gathered in the connection's output so a head and a
// small body go out in one write.
class ResponseFraming final
{
public:
    // Decides for this answer and adds the headers that say so (Content-Length or
    // Transfer-Encoding, Connection). `keepAlive` turns false when the close must end the body,
    // or when the upstream ends its connection before the request was all sent.
    void begin(http::ResponseHead &head, const http::MessageHead &request, const http::MessageHead &response,
               bool filtered, bool requestEnded, bool &keepAlive);
    // A piece of the body, through `filter` when there is one. False: the filter failed.
    bool write(QByteArrayView chunk, http::BodyFilter *filter, ExchangeOwner &owner);
    // The body ended: the filter's rest and the last chunk go out.
    bool end(http::BodyFilter *filter, ExchangeOwner &owner);
    bool endsWithClose() const { return m_kind == Kind::CloseDelimited; }
    // The body's bytes as they went on the wire (after the filter, without chunk framing).
    qint64 bytesOut() const { return m_bytesOut; }

private:
    enum class Kind { Length, Chunked, CloseDelimited };
    void put(QByteArrayView bytes, ExchangeOwner &owner);

    Kind m_kind = Kind::Length;
    qint64 m_bytesOut = 0;
    QByteArray m_filtered; // kept across answers: its allocation is reused
};

} // namespace gatehouse::engine
