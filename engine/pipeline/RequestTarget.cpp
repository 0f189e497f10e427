#include "RequestTarget.h"

#include <QList>

namespace gatehouse::engine {

namespace {

bool isDot(QByteArrayView segment)
{
    return segment == "." || segment.compare("%2e", Qt::CaseInsensitive) == 0;
}

bool isDotDot(QByteArrayView segment)
{
    if (segment.size() < 2 || segment.size() > 6) {
        return false;
    }
    static const char *const forms[] = { "..", ".%2e", "%2e.", "%2e%2e" };
    for (const char *form : forms) {
        if (segment.compare(QByteArrayView(form), Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

bool needsNormalising(QByteArrayView path)
{
    return path.contains("/.") || path.contains("/%2e") || path.contains("/%2E");
}

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
        trailingSlash = false;
        if (isDot(segment)) {
            trailingSlash = true;
        } else if (isDotDot(segment)) {
            if (!out.isEmpty()) {
                out.removeLast();
            }
            trailingSlash = true;
        } else {
            out.append(segment);
        }
        start = end + 1;
    }
    QByteArray result;
    for (const QByteArrayView segment : out) {
        result += '/';
        result += segment;
    }
    if (result.isEmpty() || (trailingSlash && !result.endsWith('/'))) {
        result += '/';
    }
    return result;
}

} // namespace

RequestTarget parseRequestTarget(QByteArrayView target)
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
        out.path = needsNormalising(path) ? removeDotSegments(path) : path.toByteArray();
    }
    out.valid = !out.path.isEmpty();
    return out;
}

} // namespace gatehouse::engine
