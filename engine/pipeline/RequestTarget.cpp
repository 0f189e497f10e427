#include "RequestTarget.h"

#include <QList>

#include "engine/http/Hex.h"

namespace gatehouse::engine {

namespace {

bool isUnreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~';
}

// Most paths are already normal: one scan tells, and they are taken as they are.
bool isNormal(QByteArrayView path)
{
    for (qsizetype i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '%' || c == '\\' || c == ';') {
            return false;
        }
        if (c == '/' && i + 1 < path.size() && (path[i + 1] == '/' || path[i + 1] == '.')) {
            return false;
        }
    }
    return true;
}

// Decodes unreserved escapes and upper-cases the others; a reason when the path must be refused.
const char *decodeEscapes(QByteArrayView path, PathRules rules, QByteArray &out)
{
    out.reserve(path.size());
    for (qsizetype i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '\\') {
            return "a '\\' in the path";
        }
        if (c == ';' && !rules.allowSemicolons) {
            return "a ';' in the path (limits.allow_semicolons lets it through)";
        }
        if (c != '%') {
            out.append(c);
            continue;
        }
        const int high = i + 2 < path.size() ? http::hexValue(path[i + 1]) : -1;
        const int low = high < 0 ? -1 : http::hexValue(path[i + 2]);
        if (low < 0) {
            return "a '%' that is not followed by two hex digits";
        }
        const char decoded = char(high * 16 + low);
        if (decoded == '/' || decoded == '\\' || decoded == '\0') {
            return "an encoded '/', '\\' or NUL (%2F, %5C, %00) in the path";
        }
        if (isUnreserved(decoded)) {
            out.append(decoded);
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            out.append('%').append(kHex[high]).append(kHex[low]);
        }
        i += 2;
    }
    return nullptr;
}

// "host:port" or "[v6]:port"; without a port, the scheme's default.
int portOf(QByteArrayView authority, bool secure)
{
    const qsizetype colon = authority.lastIndexOf(':');
    if (colon < 0 || authority.endsWith(']')) {
        return secure ? 443 : 80;
    }
    bool ok = false;
    const int port = authority.sliced(colon + 1).toInt(&ok);
    return ok ? port : -1;
}

// Dot segments resolved and empty segments (runs of '/') dropped; a trailing '/' is kept.
QByteArray removeDotSegments(QByteArrayView path)
{
    QList<QByteArrayView> out;
    qsizetype start = 1;
    bool trailingSlash = false;
    while (start <= path.size()) {
        qsizetype end = path.indexOf('/', start);
        if (end < 0) {
            end = path.size();
        }
        const QByteArrayView segment = path.sliced(start, end - start);
        trailingSlash = true;
        if (segment == "..") {
            if (!out.isEmpty()) {
                out.removeLast();
            }
        } else if (!segment.isEmpty() && segment != ".") {
            out.append(segment);
            trailingSlash = false;
        }
        start = end + 1;
    }
    QByteArray result;
    result.reserve(path.size());
    for (const QByteArrayView segment : out) {
        result += '/';
        result += segment;
    }
    if (result.isEmpty() || trailingSlash) {
        result += '/';
    }
    return result;
}

} // namespace

RequestTarget parseRequestTarget(QByteArrayView target, PathRules rules)
{
    RequestTarget out;
    if (target.contains('#')) {
        return out;
    }
    QByteArrayView rest = target;
    // The scheme is case-insensitive (RFC 3986 §3.1), as the parser's pre-scan already treats it:
    // "HTTP://evil.example/" must reach the open-proxy check (421), not fail as malformed.
    const auto hasScheme = [&rest](QByteArrayView scheme) {
        return rest.size() >= scheme.size() && rest.first(scheme.size()).compare(scheme, Qt::CaseInsensitive) == 0;
    };
    if (hasScheme("http://") || hasScheme("https://")) {
        out.absoluteForm = true;
        const bool secure = hasScheme("https://");
        rest = rest.sliced(rest.indexOf("//") + 2);
        const qsizetype slash = rest.indexOf('/');
        const qsizetype question = rest.indexOf('?');
        qsizetype end = slash < 0 ? rest.size() : slash;
        if (question >= 0 && question < end) {
            end = question;
        }
        out.authority = rest.first(end).toByteArray();
        if (out.authority.isEmpty() || out.authority.contains('@')) {
            return out;
        }
        out.port = portOf(out.authority, secure);
        rest = rest.sliced(end);
        if (rest.isEmpty() || rest.startsWith('?')) {
            out.path = "/";
        }
    }
    if (!rest.isEmpty() && !rest.startsWith('/') && !rest.startsWith('?')) {
        return out;
    }
    const qsizetype question = rest.indexOf('?');
    const QByteArrayView path = question < 0 ? rest : rest.first(question);
    if (question >= 0) {
        out.query = rest.sliced(question + 1).toByteArray();
    }
    if (!path.isEmpty()) {
        if (isNormal(path)) {
            out.path = path.toByteArray();
        } else {
            QByteArray decoded;
            out.badPath = decodeEscapes(path, rules, decoded);
            if (out.badPath) {
                return out;
            }
            out.path = removeDotSegments(decoded);
        }
    }
    out.valid = !out.path.isEmpty();
    return out;
}

} // namespace gatehouse::engine
