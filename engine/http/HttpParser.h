#pragma once

#include <memory>

#include <QByteArrayView>

#include "engine/http/HttpMessage.h"
#include "engine/http/ParseStatus.h"

namespace gatehouse::engine::http {

// A pull parser for one direction of one HTTP/1.1 connection (requests from a client, or
// responses from an upstream), strict where smuggling lives (SPEC §3, §7.1). One pass over the
// bytes: the head is checked and split into its fields in the same scan (HeadScan), a chunked
// body is decoded and checked in the same step (ChunkedBody). It never copies the body: body
// chunks are views of the input.
//
// Use: keep the connection's unread bytes in a buffer; call next() with that buffer; drop the
// `consumed` bytes it reports; act on the event; repeat until NeedMore.
// body() points into those consumed bytes: use it (or copy it) before dropping them, since
// QByteArray::remove() moves the bytes it points at. Until the head is complete next() consumes
// nothing and the caller keeps accumulating; a head over maxHeaderBytes is an error even if its
// end never arrives. After the MessageEnd of a head with `upgrade` (101, or a request the caller
// lets switch protocols), the bytes that follow belong to the tunnel, not to this parser.
class HttpParser final
{
public:
    enum class Mode { Request, Response };
    enum class Event {
        NeedMore, // consumed everything useful; call again with more bytes
        Head, // head() is complete
        Body, // body() is the next slice of the (de-chunked) body
        MessageEnd, // the message is complete; the parser is ready for the next message
        Error // error() says why; the connection must close after the error response
    };

    struct Limits
    {
        qint64 maxHeaderBytes = 64 * 1024; // whole head including request line
        qint64 maxBodyBytes = -1; // -1: unlimited (responses)
    };

    // Two constructors rather than `Limits limits = {}`: GCC cannot use a nested struct's default
    // member initializers in a default argument inside the enclosing class.
    explicit HttpParser(Mode mode);
    HttpParser(Mode mode, Limits limits);
    ~HttpParser();
    HttpParser(const HttpParser &) = delete;
    HttpParser &operator=(const HttpParser &) = delete;

    Event next(QByteArrayView input, qsizetype &consumed);
    // Forgets a message in progress: a new connection starts (an upstream retry).
    void reset();

    // Response mode: the request this response answers was HEAD, so it has no body.
    // Call before feeding the response. It holds across 1xx interim responses and resets to
    // false after the final response's MessageEnd. (1xx, 204 and 304 never have a body anyway.)
    void expectNoBody(bool noBody);

    // Response mode: the upstream closed. A read-until-close body ends here (MessageEnd);
    // otherwise a message cut short is an Error. NeedMore: no message was in progress.
    Event finish();

    const MessageHead &head() const;
    QByteArrayView body() const; // valid until the next call to next()
    ParseStatus error() const;
    const char *errorText() const; // short, for logs and the JSON error message

    // True while a message head has been seen and its end not yet.
    bool inMessage() const;

private:
    std::unique_ptr<struct HttpParserPrivate> d;
};

} // namespace gatehouse::engine::http
