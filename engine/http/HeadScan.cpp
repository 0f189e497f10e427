#include "HeadScan.h"

#include <array>
#include <cstring>
#include <limits>

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

// What the scan counts on its way through the fields.
struct Counts
{
    int contentLengthCount = 0;
    int transferEncodingCount = 0;
    int hostCount = 0;
    int versionMinor = 1;
};

// Connection: close, keep-alive and upgrade, as comma-separated tokens in any case.
void readConnectionTokens(QByteArrayView value, HeadFacts &facts)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView token = trimOws(comma < 0 ? value : value.first(comma));
        value = comma < 0 ? QByteArrayView() : value.sliced(comma + 1);
        if (equalsLower(token, "close")) {
            facts.connectionClose = true;
        } else if (equalsLower(token, "keep-alive")) {
            facts.connectionKeepAlive = true;
        } else if (equalsLower(token, "upgrade")) {
            facts.connectionUpgrade = true;
        }
    }
}

// The field's entry reuses the last message's at that index, and its buffers.
void keepField(MessageHead &head, qsizetype index, QByteArrayView name, QByteArrayView value)
{
    if (index == head.headers.size()) {
        head.headers.emplace_back();
    }
    Header &field = head.headers[index];
    field.name.resize(0);
    field.name.append(name);
    field.value.resize(0);
    field.value.append(value);
    if (field.value.isNull()) {
        field.value = QByteArray("", 0); // present-but-empty must not read as absent
    }
}

ScanError bad(const char *text)
{
    return { ParseStatus::BadRequest, text };
}

ScanError scanRequestLine(QByteArrayView line, Counts &s, MessageHead &head)
{
    const qsizetype sp1 = line.indexOf(' ');
    if (sp1 <= 0) {
        return bad(sp1 == 0 ? "empty method" : "malformed request line");
    }
    const QByteArrayView method = line.first(sp1);
    for (char c : method) {
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
    head.method.resize(0);
    head.method.append(method);
    head.target.resize(0);
    head.target.append(target);

    const bool connect = method == QByteArrayView("CONNECT");
    if (connect) {
        if (!isAuthorityForm(target)) {
            return bad("CONNECT needs an authority-form target");
        }
    } else if (target == QByteArrayView("*")) {
        if (method != QByteArrayView("OPTIONS")) {
            return bad("asterisk target is only valid for OPTIONS");
        }
    } else if (target.front() != '/' && !isAbsoluteFormHttp(target)) {
        return bad("request target is neither origin-form nor absolute-form");
    }
    return {};
}

ScanError scanStatusLine(QByteArrayView line, Counts &s, MessageHead &head)
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
    head.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    head.reason.resize(0);
    if (line.size() > 12) {
        head.reason.append(line.sliced(13));
    }
    return {};
}

ScanError scanField(QByteArrayView name, QByteArrayView value, bool request, Counts &s, HeadFacts &facts)
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
            // Any repeated Content-Length is refused, even an identical one; say which kind it was.
            if (++s.contentLengthCount > 1) {
                return bad(n == facts.contentLength ? "duplicate Content-Length"
                                                    : "differing Content-Length headers");
            }
            facts.contentLength = n;
        }
        break;
    case 7:
        if (equalsLower(name, "upgrade")) {
            facts.upgradeHeader = true;
        }
        break;
    case 10:
        if (equalsLower(name, "connection")) {
            readConnectionTokens(value, facts);
        }
        break;
    case 17:
        if (equalsLower(name, "transfer-encoding")) {
            ++s.transferEncodingCount;
            facts.transferEncoding = true;
            if (request) {
                // Only what we can de-chunk exactly as the upstream would; anything else is a
                // smuggling vector (RFC 9112 §6.3 item 4).
                if (s.transferEncodingCount > 1) {
                    return bad("duplicate Transfer-Encoding");
                }
                if (!equalsLower(value, "chunked")) {
                    return bad("unsupported Transfer-Encoding");
                }
                facts.chunked = true;
            } else {
                // A response is chunked when chunked is its final coding (RFC 9112 §6.3);
                // otherwise its body runs until the upstream closes.
                const qsizetype comma = value.lastIndexOf(',');
                facts.chunked = equalsLower(trimOws(comma < 0 ? value : value.sliced(comma + 1)), "chunked");
            }
        }
        break;
    default:
        break;
    }
    return {};
}

} // namespace

ScanError scanHead(QByteArrayView raw, bool request, MessageHead &head, HeadFacts &facts)
{
    Counts s;
    facts = HeadFacts {};
    qsizetype fields = 0;
    const char *p = raw.data();
    const char *const end = p + raw.size();
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
            const ScanError e = request ? scanRequestLine(line, s, head) : scanStatusLine(line, s, head);
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
        const QByteArrayView name = line.first(colon);
        const QByteArrayView trimmed = trimOws(value);
        const ScanError e = scanField(name, trimmed, request, s, facts);
        if (e.status != ParseStatus::Ok) {
            return e;
        }
        keepField(head, fields++, name, trimmed);
    }
    head.headers.resize(fields);
    head.versionMajor = 1;
    head.versionMinor = s.versionMinor;

    if (s.contentLengthCount > 0 && s.transferEncodingCount > 0) {
        return bad("both Content-Length and Transfer-Encoding");
    }
    if (request) {
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

bool isKnownMethod(QByteArrayView method)
{
    static constexpr const char *kMethods[] = {
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "COPY", "LOCK",
        "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL",
        "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
        "PURGE", "MKCALENDAR", "LINK", "UNLINK", "SOURCE",
    };
    for (const char *known : kMethods) {
        if (method == QByteArrayView(known)) {
            return true;
        }
    }
    return false;
}

} // namespace gatehouse::engine::http
