#include "HttpParser.h"

#include "engine/http/ChunkFraming.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <http_parser.h>

namespace gatehouse::engine::http {

namespace {

// Character classes of RFC 9110 §5.6.2 (tchar) and §5.5 (field-vchar, with SP/HTAB inside values).
enum CharClass : unsigned char {
    Token = 1, // tchar
    FieldValue = 2, // HTAB, SP, VCHAR, obs-text
    Target = 4, // what we accept in a request-target: VCHAR except '#'
    HostChar = 8, // reg-name / IP-literal / port characters
};

constexpr std::array<unsigned char, 256> makeCharTable()
{
    std::array<unsigned char, 256> t {};
    for (int c = 0; c < 256; ++c) {
        unsigned char v = 0;
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        if (alpha || digit) {
            v |= Token | HostChar;
        }
        for (const char *p = "!#$%&'*+-.^_`|~"; *p; ++p) {
            if (c == *p) {
                v |= Token;
            }
        }
        for (const char *p = "-._~!$&'()*+,;=:[]%"; *p; ++p) {
            if (c == *p) {
                v |= HostChar;
            }
        }
        if (c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7e) || c >= 0x80) {
            v |= FieldValue;
        }
        if (c >= 0x21 && c <= 0x7e && c != '#') {
            v |= Target;
        }
        t[std::size_t(c)] = v;
    }
    return t;
}

constexpr std::array<unsigned char, 256> kChars = makeCharTable();

inline bool is(char c, CharClass cls)
{
    return (kChars[static_cast<unsigned char>(c)] & cls) != 0;
}

inline bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// `lowerName` must already be lower case.
bool equalsLower(QByteArrayView s, QByteArrayView lowerName)
{
    if (s.size() != lowerName.size()) {
        return false;
    }
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (lower(s[i]) != lowerName[i]) {
            return false;
        }
    }
    return true;
}

bool startsWithLower(QByteArrayView s, QByteArrayView lowerPrefix)
{
    return s.size() >= lowerPrefix.size() && equalsLower(s.first(lowerPrefix.size()), lowerPrefix);
}

QByteArrayView trimOws(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t')) {
        v = v.sliced(1);
    }
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t')) {
        v.chop(1);
    }
    return v;
}

// In place, so the buffer (and its capacity) is kept.
void trimOwsInPlace(QByteArray &v)
{
    qsizetype end = v.size();
    while (end > 0 && (v.at(end - 1) == ' ' || v.at(end - 1) == '\t')) {
        --end;
    }
    v.truncate(end);
    qsizetype begin = 0;
    while (begin < v.size() && (v.at(begin) == ' ' || v.at(begin) == '\t')) {
        ++begin;
    }
    if (begin > 0) {
        v.remove(0, begin);
    }
}

// 1*DIGIT without sign, spaces or overflow (RFC 9110 §8.6); -1 when invalid.
qint64 parseContentLength(QByteArrayView v)
{
    if (v.isEmpty()) {
        return -1;
    }
    qint64 n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') {
            return -1;
        }
        const int digit = c - '0';
        if (n > (std::numeric_limits<qint64>::max() - digit) / 10) {
            return -1;
        }
        n = n * 10 + digit;
    }
    return n;
}

bool isAbsoluteFormHttp(QByteArrayView t)
{
    qsizetype schemeLen = 0;
    if (startsWithLower(t, "http://")) {
        schemeLen = 7;
    } else if (startsWithLower(t, "https://")) {
        schemeLen = 8;
    } else {
        return false;
    }
    // A non-empty authority is required: "http:///x" names no host.
    return t.size() > schemeLen && t[schemeLen] != '/' && t[schemeLen] != '?';
}

// authority-form for CONNECT: host ":" port, nothing else.
bool isAuthorityForm(QByteArrayView t)
{
    const qsizetype colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.size() - 1) {
        return false;
    }
    for (qsizetype i = 0; i < colon; ++i) {
        if (!is(t[i], HostChar) || t[i] == '@') {
            return false;
        }
    }
    for (qsizetype i = colon + 1; i < t.size(); ++i) {
        if (t[i] < '0' || t[i] > '9') {
            return false;
        }
    }
    return t.size() - colon - 1 <= 5;
}

// What the raw-head pre-scan learns besides "valid or not".
struct HeadScan
{
    QByteArrayView method;
    qint64 contentLength = -1;
    int contentLengthCount = 0;
    int transferEncodingCount = 0;
    bool transferEncodingChunked = false;
    int hostCount = 0;
    int versionMinor = 1;
};

struct ScanError
{
    ParseStatus status = ParseStatus::Ok;
    const char *text = "";
};

ScanError bad(const char *text)
{
    return { ParseStatus::BadRequest, text };
}

ScanError scanRequestLine(QByteArrayView line, HeadScan &s)
{
    const qsizetype sp1 = line.indexOf(' ');
    if (sp1 <= 0) {
        return bad(sp1 == 0 ? "empty method" : "malformed request line");
    }
    s.method = line.first(sp1);
    for (char c : s.method) {
        if (!is(c, Token)) {
            return bad("invalid character in method");
        }
    }
    const qsizetype sp2 = line.indexOf(' ', sp1 + 1);
    if (sp2 < 0) {
        return bad("malformed request line");
    }
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (target.isEmpty()) {
        return bad("empty request target");
    }
    for (char c : target) {
        if (!is(c, Target)) {
            return bad(c == '#' ? "fragment in request target" : "invalid character in request target");
        }
    }
    // A '%' in the path must start a pct-encoded octet (RFC 3986 §2.1). "/a%zz" is decoded
    // differently by different upstreams, so refuse it, as nginx does. The query is left alone
    // (nginx doesn't check it either; clients do send "?q=100%").
    const qsizetype pathEnd = target.indexOf('?');
    const QByteArrayView path = pathEnd < 0 ? target : target.first(pathEnd);
    for (qsizetype i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
        if (i + 2 >= path.size() || !isHexDigit(path[i + 1]) || !isHexDigit(path[i + 2])) {
            return bad("invalid percent-encoding in request target");
        }
    }
    if (version == QByteArrayView("HTTP/1.1")) {
        s.versionMinor = 1;
    } else if (version == QByteArrayView("HTTP/1.0")) {
        s.versionMinor = 0;
    } else {
        return bad(version.startsWith("HTTP/") ? "unsupported HTTP version" : "malformed request line");
    }

    const bool connect = s.method == QByteArrayView("CONNECT");
    if (connect) {
        if (!isAuthorityForm(target)) {
            return bad("CONNECT needs an authority-form target");
        }
    } else if (target == QByteArrayView("*")) {
        if (s.method != QByteArrayView("OPTIONS")) {
            return bad("asterisk target is only valid for OPTIONS");
        }
    } else if (target.front() != '/' && !isAbsoluteFormHttp(target)) {
        return bad("request target is neither origin-form nor absolute-form");
    }
    return {};
}

ScanError scanStatusLine(QByteArrayView line, HeadScan &s)
{
    // "HTTP/1.x" SP 3DIGIT [ SP reason-phrase ]; a missing reason is common enough to allow.
    if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
        return bad("malformed status line");
    }
    const QByteArrayView version = line.first(8);
    if (version == QByteArrayView("HTTP/1.1")) {
        s.versionMinor = 1;
    } else if (version == QByteArrayView("HTTP/1.0")) {
        s.versionMinor = 0;
    } else {
        return bad("unsupported HTTP version");
    }
    if (line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' || line[11] < '0'
        || line[11] > '9') {
        return bad("invalid status code");
    }
    for (char c : line.sliced(12)) {
        if (!is(c, FieldValue)) {
            return bad("invalid character in reason phrase");
        }
    }
    return {};
}

ScanError scanField(QByteArrayView name, QByteArrayView value, HttpParser::Mode mode, HeadScan &s)
{
    switch (name.size()) {
    case 4:
        if (equalsLower(name, "host")) {
            ++s.hostCount;
            for (char c : value) {
                if (!is(c, HostChar) || c == '@') {
                    return bad("invalid Host header");
                }
            }
        }
        break;
    case 14:
        if (equalsLower(name, "content-length")) {
            const qint64 n = parseContentLength(value);
            if (n < 0) {
                return bad("invalid Content-Length");
            }
            // http_parser refuses any repeated Content-Length too; say which kind it was.
            if (++s.contentLengthCount > 1) {
                return bad(n == s.contentLength ? "duplicate Content-Length"
                                                : "differing Content-Length headers");
            }
            s.contentLength = n;
        }
        break;
    case 17:
        if (equalsLower(name, "transfer-encoding")) {
            ++s.transferEncodingCount;
            if (mode == HttpParser::Mode::Request) {
                // Only what we can de-chunk exactly as the upstream would; anything else is a
                // smuggling vector (RFC 9112 §6.3 item 4).
                if (s.transferEncodingCount > 1) {
                    return bad("duplicate Transfer-Encoding");
                }
                if (!equalsLower(value, "chunked")) {
                    return bad("unsupported Transfer-Encoding");
                }
                s.transferEncodingChunked = true;
            }
        }
        break;
    default:
        break;
    }
    return {};
}

// The stricter rules of SPEC §3 on the raw head (start line to the blank line inclusive), before
// http_parser sees it. `head` ends with "\r\n\r\n" and contains no earlier "\r\n\r\n".
ScanError scanHead(QByteArrayView head, HttpParser::Mode mode, HeadScan &s)
{
    const char *p = head.data();
    const char *const end = p + head.size();
    bool firstLine = true;
    while (p < end) {
        const char *lf = static_cast<const char *>(std::memchr(p, '\n', std::size_t(end - p)));
        if (!lf) {
            return bad("truncated head");
        }
        if (lf == p || lf[-1] != '\r') {
            return bad("bare LF in the message head");
        }
        const QByteArrayView line(p, lf - 1 - p);
        p = lf + 1;
        if (firstLine) {
            firstLine = false;
            if (line.contains('\r')) {
                return bad("bare CR in the message head");
            }
            const ScanError e = mode == HttpParser::Mode::Request ? scanRequestLine(line, s)
                                                                  : scanStatusLine(line, s);
            if (e.status != ParseStatus::Ok) {
                return e;
            }
            continue;
        }
        if (line.isEmpty()) {
            break; // the blank line ending the head
        }
        if (line.front() == ' ' || line.front() == '\t') {
            return bad("obsolete line folding in the message head");
        }
        qsizetype colon = 0;
        while (colon < line.size() && line[colon] != ':') {
            const char c = line[colon];
            if (!is(c, Token)) {
                if (c == ' ' || c == '\t') {
                    return bad("whitespace between header name and colon");
                }
                return bad(c == '\r' ? "bare CR in the message head" : "invalid character in header name");
            }
            ++colon;
        }
        if (colon == line.size()) {
            return bad("header line without a colon");
        }
        if (colon == 0) {
            return bad("empty header name");
        }
        const QByteArrayView value = line.sliced(colon + 1);
        for (char c : value) {
            if (!is(c, FieldValue)) {
                return bad(c == '\r' ? "bare CR in the message head" : "control character in header value");
            }
        }
        const ScanError e = scanField(line.first(colon), trimOws(value), mode, s);
        if (e.status != ParseStatus::Ok) {
            return e;
        }
    }

    if (s.contentLengthCount > 0 && s.transferEncodingCount > 0) {
        return bad("both Content-Length and Transfer-Encoding");
    }
    if (mode == HttpParser::Mode::Request) {
        if (s.transferEncodingCount > 0 && s.versionMinor == 0) {
            return bad("Transfer-Encoding in an HTTP/1.0 request"); // RFC 9112 §6.1
        }
        if (s.hostCount > 1) {
            return bad("duplicate Host header");
        }
        if (s.hostCount == 0 && s.versionMinor == 1) {
            return bad("missing Host header");
        }
    }
    return {};
}

} // namespace

struct HttpParserPrivate
{
    enum class Phase { Head, Body, Failed };

    HttpParserPrivate(HttpParser::Mode m, HttpParser::Limits l)
        : mode(m)
        , limits(l)
    {
        http_parser_init(&parser, mode == HttpParser::Mode::Request ? HTTP_REQUEST : HTTP_RESPONSE);
        parser.data = this;
    }

    HttpParser::Event parseHead(QByteArrayView input, qsizetype &consumed);
    HttpParser::Event parseBody(QByteArrayView input, qsizetype &consumed);
    HttpParser::Event endMessage();
    HttpParser::Event fail(ParseStatus status, const char *text);
    HttpParser::Event failFromParser();

    // http_parser callbacks; `p->data` is the HttpParserPrivate.
    static int onUrl(http_parser *p, const char *at, size_t len);
    static int onStatus(http_parser *p, const char *at, size_t len);
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);
    static int onChunkHeader(http_parser *p);
    static const http_parser_settings settings;

    bool trailerTooLarge(size_t len);
    void finishHeaders();

    const HttpParser::Mode mode;
    const HttpParser::Limits limits;
    http_parser parser {};
    MessageHead head;
    HeadScan scan;
    ChunkFraming chunkFraming; // request mode, chunked bodies

    Phase phase = Phase::Head;
    qsizetype scanned = 0; // head phase: input bytes already searched for the end of the head
    bool partialHead = false; // head phase: the last input held the start of a head
    bool noBody = false;
    bool pendingEnd = false; // the message ended in the same step as its Head or last Body
    bool headComplete = false;
    bool messageEnded = false;

    qsizetype headerCount = 0;
    bool lastWasValue = true;
    QByteArrayView body;
    qint64 bodyBytes = 0;
    qint64 trailerBytes = 0;

    ParseStatus error = ParseStatus::Ok;
    const char *errorText = "";
};

const http_parser_settings HttpParserPrivate::settings = {
    nullptr, // on_message_begin
    &HttpParserPrivate::onUrl,
    &HttpParserPrivate::onStatus,
    &HttpParserPrivate::onHeaderField,
    &HttpParserPrivate::onHeaderValue,
    &HttpParserPrivate::onHeadersComplete,
    &HttpParserPrivate::onBody,
    &HttpParserPrivate::onMessageComplete,
    &HttpParserPrivate::onChunkHeader,
    nullptr, // on_chunk_complete
};

namespace {
HttpParserPrivate *self(http_parser *p)
{
    return static_cast<HttpParserPrivate *>(p->data);
}
} // namespace

int HttpParserPrivate::onUrl(http_parser *p, const char *at, size_t len)
{
    self(p)->head.target.append(at, qsizetype(len));
    return 0;
}

int HttpParserPrivate::onStatus(http_parser *p, const char *at, size_t len)
{
    self(p)->head.reason.append(at, qsizetype(len));
    return 0;
}

bool HttpParserPrivate::trailerTooLarge(size_t len)
{
    trailerBytes += qint64(len);
    if (trailerBytes > limits.maxHeaderBytes) {
        fail(ParseStatus::HeadersTooLarge, "chunked trailer section too large");
        return true;
    }
    return false;
}

int HttpParserPrivate::onHeaderField(http_parser *p, const char *at, size_t len)
{
    HttpParserPrivate *d = self(p);
    if (d->headComplete) {
        // Trailer fields: not forwarded (as nginx does), only bounded.
        return d->trailerTooLarge(len) ? -1 : 0;
    }
    if (d->lastWasValue) {
        // Reuse the entries (and their buffers) of the previous message on this connection.
        if (d->headerCount < d->head.headers.size()) {
            Header &h = d->head.headers[d->headerCount];
            h.name.resize(0);
            h.value.resize(0);
        } else {
            d->head.headers.emplace_back();
        }
        ++d->headerCount;
        d->lastWasValue = false;
    }
    d->head.headers[d->headerCount - 1].name.append(at, qsizetype(len));
    return 0;
}

int HttpParserPrivate::onHeaderValue(http_parser *p, const char *at, size_t len)
{
    HttpParserPrivate *d = self(p);
    if (d->headComplete) {
        return d->trailerTooLarge(len) ? -1 : 0;
    }
    if (d->headerCount == 0) {
        return -1; // cannot happen with a pre-scanned head; refuse rather than index out of range
    }
    d->head.headers[d->headerCount - 1].value.append(at, qsizetype(len));
    d->lastWasValue = true;
    return 0;
}

void HttpParserPrivate::finishHeaders()
{
    head.headers.resize(headerCount);
    for (Header &h : head.headers) {
        trimOwsInPlace(h.value);
        if (h.value.isNull()) {
            h.value = QByteArray("", 0); // present-but-empty must not read as absent
        }
    }
}

int HttpParserPrivate::onHeadersComplete(http_parser *p)
{
    HttpParserPrivate *d = self(p);
    d->finishHeaders();
    MessageHead &h = d->head;
    h.versionMajor = p->http_major;
    h.versionMinor = p->http_minor;
    h.contentLength = d->scan.contentLength;
    h.chunked = (p->flags & F_CHUNKED) != 0;

    bool skipBody = false;
    if (d->mode == HttpParser::Mode::Request) {
        h.upgrade = p->upgrade != 0;
        // Belt and braces: the framing http_parser chose must be the one the pre-scan approved.
        if (h.chunked != d->scan.transferEncodingChunked) {
            d->fail(ParseStatus::BadRequest, "inconsistent message framing");
            return -1;
        }
    } else {
        h.status = int(p->status_code);
        h.upgrade = h.status == 101 || p->upgrade != 0;
        // RFC 9110 §6.4.1: these never have a body, whatever their headers say.
        skipBody = d->noBody || h.status < 200 || h.status == 204 || h.status == 304;
    }
    if ((p->flags & F_CONTENTLENGTH) != 0 && !h.chunked
        && p->content_length != quint64(d->scan.contentLength)) {
        d->fail(ParseStatus::BadRequest, "inconsistent message framing");
        return -1;
    }

    const bool close = (p->flags & F_CONNECTION_CLOSE) != 0;
    bool keepAlive = h.versionMinor >= 1 ? !close : ((p->flags & F_CONNECTION_KEEP_ALIVE) != 0 && !close);
    if (d->mode == HttpParser::Mode::Response && !skipBody && !h.chunked && h.contentLength < 0) {
        keepAlive = false; // the body runs until the upstream closes
    }
    h.keepAlive = keepAlive;

    // Refuse early, before any body byte arrives (this is what makes a 413 to
    // "Expect: 100-continue" cheap for the client).
    if (!skipBody && d->limits.maxBodyBytes >= 0 && h.contentLength > d->limits.maxBodyBytes) {
        d->fail(ParseStatus::BodyTooLarge, "Content-Length exceeds the body limit");
        return -1;
    }
    d->headComplete = true;
    return skipBody ? 1 : 0;
}

int HttpParserPrivate::onChunkHeader(http_parser *p)
{
    HttpParserPrivate *d = self(p);
    if (d->limits.maxBodyBytes >= 0
        && p->content_length > quint64(d->limits.maxBodyBytes - d->bodyBytes)) {
        d->fail(ParseStatus::BodyTooLarge, "chunked body exceeds the body limit");
        return -1;
    }
    return 0;
}

int HttpParserPrivate::onBody(http_parser *p, const char *at, size_t len)
{
    HttpParserPrivate *d = self(p);
    if (len == 0) {
        return 0;
    }
    d->bodyBytes += qint64(len);
    if (d->limits.maxBodyBytes >= 0 && d->bodyBytes > d->limits.maxBodyBytes) {
        d->fail(ParseStatus::BodyTooLarge, "body exceeds the body limit");
        return -1;
    }
    d->body = QByteArrayView(at, qsizetype(len));
    // Pausing here returns one Body event per call. Exception: the last slice of a
    // Content-Length body. Paused there, http_parser reports the slice's last byte as *not*
    // parsed (it re-reads it to complete the message), so the view would reach past `consumed`.
    // Letting it run on to on_message_complete (which pauses) keeps body() inside `consumed`.
    const bool lastIdentitySlice = (p->flags & F_CHUNKED) == 0 && p->content_length == 0;
    if (!lastIdentitySlice) {
        http_parser_pause(p, 1);
    }
    return 0;
}

int HttpParserPrivate::onMessageComplete(http_parser *p)
{
    self(p)->messageEnded = true;
    http_parser_pause(p, 1);
    return 0;
}

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

HttpParser::Event HttpParserPrivate::failFromParser()
{
    if (error != ParseStatus::Ok) {
        return fail(error, errorText); // a callback refused
    }
    const auto err = HTTP_PARSER_ERRNO(&parser);
    switch (err) {
    case HPE_HEADER_OVERFLOW:
        return fail(ParseStatus::HeadersTooLarge, http_errno_description(err));
    case HPE_INVALID_METHOD:
        return fail(ParseStatus::BadMethod, "unknown method");
    default:
        return fail(ParseStatus::BadRequest, http_errno_description(err));
    }
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

    const QByteArrayView raw = input.sliced(skip, end - skip);
    scan = HeadScan {};
    chunkFraming.reset();
    const ScanError e = scanHead(raw, mode, scan);
    if (e.status != ParseStatus::Ok) {
        return fail(e.status, e.text);
    }

    // A fresh http_parser per message: keep-alive is the caller's decision (from head().keepAlive),
    // and its "dead connection" state must not turn a pipelined request into an error.
    http_parser_init(&parser, mode == HttpParser::Mode::Request ? HTTP_REQUEST : HTTP_RESPONSE);
    parser.data = this;
    head.method.resize(0);
    if (mode == HttpParser::Mode::Request) {
        head.method.append(scan.method);
    }
    head.target.resize(0);
    head.reason.resize(0);
    head.status = 0;
    head.upgrade = false;
    headerCount = 0;
    lastWasValue = true;
    headComplete = false;
    messageEnded = false;
    bodyBytes = 0;
    trailerBytes = 0;
    body = {};

    // The whole head in one call keeps every url/field/value callback contiguous.
    const size_t n = http_parser_execute(&parser, &settings, raw.data(), std::size_t(raw.size()));
    const auto err = HTTP_PARSER_ERRNO(&parser);
    if (err == HPE_PAUSED) {
        http_parser_pause(&parser, 0);
    } else if (err != HPE_OK || error != ParseStatus::Ok) {
        return failFromParser();
    }
    if (!headComplete || n != std::size_t(raw.size())) {
        return fail(ParseStatus::BadRequest, "malformed message head");
    }
    scanned = 0;
    partialHead = false;
    phase = Phase::Body;
    pendingEnd = messageEnded;
    consumed = end;
    return HttpParser::Event::Head;
}

HttpParser::Event HttpParserPrivate::parseBody(QByteArrayView input, qsizetype &consumed)
{
    while (consumed < input.size()) {
        body = {};
        messageEnded = false;
        const size_t n = http_parser_execute(&parser, &settings, input.data() + consumed,
                                             std::size_t(input.size() - consumed));
        const auto err = HTTP_PARSER_ERRNO(&parser);
        if (err == HPE_PAUSED) {
            http_parser_pause(&parser, 0);
        } else if (err != HPE_OK || error != ParseStatus::Ok) {
            consumed = 0;
            return failFromParser();
        }
        if (mode == HttpParser::Mode::Request && head.chunked
            && !chunkFraming.feed(QByteArrayView(input.data() + consumed, qsizetype(n)))) {
            consumed = 0;
            return fail(ParseStatus::BadRequest, "invalid chunk framing");
        }
        consumed += qsizetype(n);
        if (!body.isEmpty()) {
            pendingEnd = messageEnded;
            return HttpParser::Event::Body;
        }
        if (messageEnded) {
            return endMessage();
        }
        if (err == HPE_OK && consumed < input.size()) {
            consumed = 0;
            return fail(ParseStatus::BadRequest, "parser stopped early");
        }
    }
    return HttpParser::Event::NeedMore;
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
    case HttpParserPrivate::Phase::Body: {
        if (d->pendingEnd) {
            return d->endMessage();
        }
        d->messageEnded = false;
        // With no data, http_parser completes a read-until-close body and flags anything else.
        http_parser_execute(&d->parser, &HttpParserPrivate::settings, nullptr, 0);
        const auto err = HTTP_PARSER_ERRNO(&d->parser);
        if (err == HPE_PAUSED) {
            http_parser_pause(&d->parser, 0);
        }
        if (d->messageEnded) {
            return d->endMessage();
        }
        return d->fail(ParseStatus::BadRequest, "connection closed before the end of the message");
    }
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
