#include "HttpParser.h"

#include <algorithm>
#include <cstring>

#include "engine/http/ChunkedBody.h"
#include "engine/http/HeadScan.h"

namespace gatehouse::engine::http {

struct HttpParserPrivate
{
    enum class Phase { Head, Body, Failed };
    // How the body after a head ends: with none, after Content-Length bytes, with the last
    // chunk, or when the upstream closes (a response without either).
    enum class Framing { None, Length, Chunked, UntilClose };

    HttpParserPrivate(HttpParser::Mode m, HttpParser::Limits l)
        : mode(m)
        , limits(l)
    {
    }

    HttpParser::Event parseHead(QByteArrayView input, qsizetype &consumed);
    HttpParser::Event takeHead(QByteArrayView raw);
    HttpParser::Event parseBody(QByteArrayView input, qsizetype &consumed);
    HttpParser::Event endMessage();
    HttpParser::Event fail(ParseStatus status, const char *text);

    const HttpParser::Mode mode;
    const HttpParser::Limits limits;
    MessageHead head;
    ChunkedBody chunks;

    Phase phase = Phase::Head;
    Framing framing = Framing::None;
    qint64 remaining = 0; // Framing::Length: body bytes still to come
    qsizetype scanned = 0; // head phase: input bytes already searched for the end of the head
    bool partialHead = false; // head phase: the last input held the start of a head
    bool noBody = false;
    bool pendingEnd = false; // the message ended in the same step as its Head or last Body
    QByteArrayView body;

    ParseStatus error = ParseStatus::Ok;
    const char *errorText = "";
};

HttpParser::Event HttpParserPrivate::fail(ParseStatus status, const char *text)
{
    if (error == ParseStatus::Ok) {
        error = status;
        errorText = text;
    }
    phase = Phase::Failed;
    pendingEnd = false;
    body = {};
    return HttpParser::Event::Error;
}

HttpParser::Event HttpParserPrivate::endMessage()
{
    phase = Phase::Head;
    pendingEnd = false;
    body = {};
    // expectNoBody() covers one request: it survives interim 1xx answers, not the final one.
    if (mode == HttpParser::Mode::Response && head.status >= 200) {
        noBody = false;
    }
    return HttpParser::Event::MessageEnd;
}

HttpParser::Event HttpParserPrivate::parseHead(QByteArrayView input, qsizetype &consumed)
{
    const char *data = input.data();
    const qsizetype size = input.size();

    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request-line.
    qsizetype skip = 0;
    if (mode == HttpParser::Mode::Request) {
        while (skip + 1 < size && data[skip] == '\r' && data[skip + 1] == '\n') {
            skip += 2;
        }
    }

    // Find the blank line; the caller keeps unconsumed bytes, so resume where the last call
    // stopped instead of rescanning a slowly arriving head (quadratic otherwise).
    if (scanned > size) {
        scanned = 0; // the caller did not keep the unconsumed bytes: rescan what we have
    }
    qsizetype end = -1;
    qsizetype from = std::max(scanned, skip);
    while (from < size) {
        const void *hit = std::memchr(data + from, '\n', std::size_t(size - from));
        if (!hit) {
            break;
        }
        const qsizetype i = static_cast<const char *>(hit) - data;
        if (i == skip || data[i - 1] != '\r') {
            // Refuse now rather than wait for a "\r\n\r\n" that a bare-LF client never sends.
            return fail(ParseStatus::BadRequest, "bare LF in the message head");
        }
        if (i - skip >= 3 && data[i - 2] == '\n' && data[i - 3] == '\r') {
            end = i + 1;
            break;
        }
        from = i + 1;
    }
    // Leading empty lines count against the limit too, or they could grow the buffer forever.
    if ((end < 0 ? size : end) > limits.maxHeaderBytes) {
        return fail(ParseStatus::HeadersTooLarge, "message head too large");
    }
    if (end < 0) {
        scanned = size;
        partialHead = size > skip;
        return HttpParser::Event::NeedMore;
    }
    const HttpParser::Event event = takeHead(input.sliced(skip, end - skip));
    if (event == HttpParser::Event::Head) {
        consumed = end;
    }
    return event;
}

// The head's fields in one scan, then what they say about the connection and the body.
HttpParser::Event HttpParserPrivate::takeHead(QByteArrayView raw)
{
    const bool request = mode == HttpParser::Mode::Request;
    HeadFacts facts;
    const ScanError e = scanHead(raw, request, head, facts);
    if (e.status != ParseStatus::Ok) {
        return fail(e.status, e.text);
    }
    if (request && !isKnownMethod(head.method)) {
        return fail(ParseStatus::BadMethod, "unknown method");
    }
    head.contentLength = facts.contentLength;
    head.chunked = facts.chunked;
    bool keepAlive = head.versionMinor >= 1 ? !facts.connectionClose : facts.connectionKeepAlive && !facts.connectionClose;
    bool skipBody = false;
    if (request) {
        head.status = 0;
        head.reason.resize(0);
        head.upgrade = (facts.upgradeHeader && facts.connectionUpgrade) || head.method == "CONNECT";
        framing = head.chunked ? Framing::Chunked : head.contentLength > 0 ? Framing::Length : Framing::None;
    } else {
        head.method.resize(0);
        head.target.resize(0);
        head.upgrade = head.status == 101;
        // RFC 9110 §6.4.1: these never have a body, whatever their headers say.
        skipBody = noBody || head.status < 200 || head.status == 204 || head.status == 304;
        if (skipBody) {
            framing = Framing::None;
        } else if (head.chunked) {
            framing = Framing::Chunked;
        } else if (head.contentLength >= 0 && !facts.transferEncoding) {
            framing = head.contentLength > 0 ? Framing::Length : Framing::None;
        } else {
            framing = Framing::UntilClose;
            keepAlive = false;
        }
    }
    head.keepAlive = keepAlive;
    // Refuse early, before any body byte arrives (this is what makes a 413 to
    // "Expect: 100-continue" cheap for the client).
    if (!skipBody && limits.maxBodyBytes >= 0 && head.contentLength > limits.maxBodyBytes) {
        return fail(ParseStatus::BodyTooLarge, "Content-Length exceeds the body limit");
    }
    remaining = head.contentLength;
    chunks.reset(limits.maxBodyBytes, limits.maxHeaderBytes);
    scanned = 0;
    partialHead = false;
    phase = Phase::Body;
    pendingEnd = framing == Framing::None;
    return HttpParser::Event::Head;
}

HttpParser::Event HttpParserPrivate::parseBody(QByteArrayView input, qsizetype &consumed)
{
    switch (framing) {
    case Framing::None:
        return endMessage();
    case Framing::Length: {
        const qsizetype take = qsizetype(std::min<qint64>(remaining, input.size()));
        if (take == 0) {
            return HttpParser::Event::NeedMore;
        }
        body = input.first(take);
        remaining -= take;
        consumed = take;
        pendingEnd = remaining == 0;
        return HttpParser::Event::Body;
    }
    case Framing::UntilClose:
        if (input.isEmpty()) {
            return HttpParser::Event::NeedMore;
        }
        body = input;
        consumed = input.size();
        return HttpParser::Event::Body;
    case Framing::Chunked:
        switch (chunks.next(input, consumed, body)) {
        case ChunkedBody::Step::NeedMore:
            return HttpParser::Event::NeedMore;
        case ChunkedBody::Step::Data:
            return HttpParser::Event::Body;
        case ChunkedBody::Step::End:
            return endMessage();
        case ChunkedBody::Step::Error:
            consumed = 0;
            return fail(chunks.error(), chunks.errorText());
        }
    }
    return fail(ParseStatus::BadRequest, "malformed message body");
}

HttpParser::HttpParser(Mode mode)
    : HttpParser(mode, Limits {})
{
}

HttpParser::HttpParser(Mode mode, Limits limits)
    : d(std::make_unique<HttpParserPrivate>(mode, limits))
{
}

HttpParser::~HttpParser() = default;

void HttpParser::reset()
{
    d = std::make_unique<HttpParserPrivate>(d->mode, d->limits);
}

HttpParser::Event HttpParser::next(QByteArrayView input, qsizetype &consumed)
{
    consumed = 0;
    d->body = {};
    switch (d->phase) {
    case HttpParserPrivate::Phase::Failed:
        return Event::Error;
    case HttpParserPrivate::Phase::Head:
        return d->parseHead(input, consumed);
    case HttpParserPrivate::Phase::Body:
        if (d->pendingEnd) {
            return d->endMessage();
        }
        return d->parseBody(input, consumed);
    }
    return Event::Error;
}

void HttpParser::expectNoBody(bool noBody)
{
    d->noBody = noBody;
}

HttpParser::Event HttpParser::finish()
{
    d->body = {};
    switch (d->phase) {
    case HttpParserPrivate::Phase::Failed:
        return Event::Error;
    case HttpParserPrivate::Phase::Head:
        if (d->partialHead) {
            return d->fail(ParseStatus::BadRequest, "connection closed inside a message head");
        }
        return Event::NeedMore; // between messages: nothing was cut short
    case HttpParserPrivate::Phase::Body:
        if (d->pendingEnd || d->framing == HttpParserPrivate::Framing::UntilClose) {
            return d->endMessage();
        }
        return d->fail(ParseStatus::BadRequest, "connection closed before the end of the message");
    }
    return Event::Error;
}

const MessageHead &HttpParser::head() const
{
    return d->head;
}

QByteArrayView HttpParser::body() const
{
    return d->body;
}

ParseStatus HttpParser::error() const
{
    return d->error;
}

const char *HttpParser::errorText() const
{
    return d->errorText;
}

bool HttpParser::inMessage() const
{
    return d->phase == HttpParserPrivate::Phase::Body;
}

} // namespace gatehouse::engine::http
