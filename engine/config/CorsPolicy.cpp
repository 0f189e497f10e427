#include "CorsPolicy.h"

namespace gatehouse::engine {

namespace {

bool isHostChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// '*' matches one or more host characters (letters, digits, '-', '.') for a subdomain, or digits
// for a port: never a '/', ':' or '@' that would let "https://*.shop.test" match another site.
bool globMatches(QByteArrayView pattern, QByteArrayView text)
{
    const qsizetype star = pattern.indexOf('*');
    if (star < 0) {
        return pattern.compare(text, Qt::CaseInsensitive) == 0;
    }
    const QByteArrayView prefix = pattern.first(star);
    const QByteArrayView suffix = pattern.sliced(star + 1);
    if (text.size() <= prefix.size() + suffix.size()
        || text.first(prefix.size()).compare(prefix, Qt::CaseInsensitive) != 0
        || text.last(suffix.size()).compare(suffix, Qt::CaseInsensitive) != 0) {
        return false;
    }
    const QByteArrayView middle = text.sliced(prefix.size(), text.size() - prefix.size() - suffix.size());
    if (prefix.endsWith(':') && suffix.isEmpty()) {
        return std::all_of(middle.begin(), middle.end(), [](char c) { return c >= '0' && c <= '9'; }); // a port
    }
    return std::all_of(middle.begin(), middle.end(), isHostChar);
}

} // namespace

bool CorsPolicy::allows(QByteArrayView origin) const
{
    if (origin.isEmpty()) {
        return false;
    }
    return anyOrigin || std::any_of(origins.cbegin(), origins.cend(), [origin](const QByteArray &pattern) {
               return globMatches(pattern, origin);
           });
}

CorsPolicy compileCors(const profile::Cors &cors, const QList<QByteArray> &routeMethods)
{
    CorsPolicy policy;
    for (const QString &origin : cors.origins) {
        if (origin == u"*") {
            policy.anyOrigin = true;
        } else {
            policy.origins.append(origin.toLatin1());
        }
    }
    QList<QByteArray> methods;
    for (const QString &method : cors.methods) {
        methods.append(method.toLatin1().toUpper());
    }
    if (methods.isEmpty()) {
        methods = routeMethods.isEmpty() ? QList<QByteArray> { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" } : routeMethods;
    }
    policy.allowMethods = methods.join(", ");
    QList<QByteArray> headers;
    for (const QString &header : cors.headers) {
        headers.append(header.toLatin1());
    }
    policy.allowHeaders = headers.join(", ");
    policy.credentials = cors.credentials;
    policy.maxAgeSeconds = std::chrono::duration_cast<std::chrono::seconds>(cors.maxAge).count();
    return policy;
}

} // namespace gatehouse::engine
