#include "Values.h"

#include <algorithm>
#include <array>

#include <QUrl>

#include "engine/profile/OptionalError.h"

namespace gatehouse::profile {

namespace {

using detail::setError;

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isHexDigit(QChar c)
{
    return isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

bool isAlnum(QChar c)
{
    return isDigit(c) || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

bool isIpv4(QStringView text)
{
    const auto parts = text.split(u'.');
    if (parts.size() != 4) {
        return false;
    }
    for (const QStringView part : parts) {
        if (part.isEmpty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), isDigit)) {
            return false;
        }
        if (part.toInt() > 255) {
            return false;
        }
    }
    return true;
}

bool isHexGroups(QStringView text, int *groups)
{
    *groups = 0;
    if (text.isEmpty()) {
        return true;
    }
    const auto parts = text.split(u':');
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QStringView part = parts.at(i);
        // The last group may be an embedded IPv4 address (::ffff:127.0.0.1), worth two groups.
        if (i == parts.size() - 1 && part.contains(u'.')) {
            if (!isIpv4(part)) {
                return false;
            }
            *groups += 2;
            continue;
        }
        if (part.isEmpty() || part.size() > 4 || !std::all_of(part.begin(), part.end(), isHexDigit)) {
            return false;
        }
        ++*groups;
    }
    return true;
}

bool isIpv6(QStringView text)
{
    const qsizetype gap = text.indexOf(u"::");
    if (gap < 0) {
        int groups = 0;
        return isHexGroups(text, &groups) && groups == 8;
    }
    if (text.indexOf(u"::", gap + 1) >= 0) {
        return false;
    }
    int head = 0;
    int tail = 0;
    return isHexGroups(text.left(gap), &head) && isHexGroups(text.mid(gap + 2), &tail)
        && head + tail <= 7;
}

// RFC 1123 names; '_' is accepted because local container names often use it.
bool isHostName(QStringView text)
{
    if (text.isEmpty() || text.size() > 253) {
        return false;
    }
    const QStringView name = text.endsWith(u'.') ? text.chopped(1) : text;
    for (const QStringView label : name.split(u'.')) {
        if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-')) {
            return false;
        }
        for (const QChar c : label) {
            if (!isAlnum(c) && c != u'-' && c != u'_') {
                return false;
            }
        }
    }
    return true;
}

std::optional<quint16> parsePort(QStringView text)
{
    if (text.isEmpty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), isDigit)) {
        return std::nullopt;
    }
    const int port = text.toInt();
    if (port > 65535) {
        return std::nullopt;
    }
    return quint16(port);
}

// "kind:NAME" with a kind from the list and a non-empty NAME that is an HTTP token.
bool isPrefixedName(QStringView text, std::initializer_list<QStringView> kinds)
{
    for (const QStringView kind : kinds) {
        if (text.size() > kind.size() + 1 && text.startsWith(kind) && text.at(kind.size()) == u':') {
            return isHttpToken(text.mid(kind.size() + 1));
        }
    }
    return false;
}

bool isHttpUrl(QStringView text)
{
    const QUrl url(text.toString(), QUrl::StrictMode);
    return url.isValid() && (url.scheme() == u"http" || url.scheme() == u"https")
        && !url.host().isEmpty() && url.userInfo().isEmpty();
}

} // namespace

std::optional<HostPort> parseHostPort(QStringView text, QString *error)
{
    HostPort result;
    QStringView portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || !isIpv6(text.mid(1, close - 1))) {
            setError(error, QStringLiteral("invalid IPv6 address in '%1'").arg(text));
            return std::nullopt;
        }
        if (close + 1 >= text.size() || text.at(close + 1) != u':') {
            setError(error, QStringLiteral("'%1' needs a port, e.g. [::1]:8080").arg(text));
            return std::nullopt;
        }
        result.host = text.mid(1, close - 1).toString();
        portText = text.mid(close + 2);
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0) {
            setError(error, QStringLiteral("'%1' needs a port: write HOST:PORT, e.g. 127.0.0.1:8080").arg(text));
            return std::nullopt;
        }
        const QStringView host = text.left(colon);
        if (host.contains(u':')) {
            setError(error, QStringLiteral("an IPv6 address goes in brackets: [%1]:PORT").arg(host));
            return std::nullopt;
        }
        if (host.isEmpty()) {
            setError(error, QStringLiteral("'%1' has no host; write 127.0.0.1%1, or 0.0.0.0%1 for every address").arg(text));
            return std::nullopt;
        }
        if (!isIpv4(host) && !(isHostName(host) && !std::all_of(host.begin(), host.end(), [](QChar c) { return isDigit(c) || c == u'.'; }))) {
            setError(error, QStringLiteral("invalid host '%1'").arg(host));
            return std::nullopt;
        }
        result.host = host.toString();
        portText = text.mid(colon + 1);
    }
    const auto port = parsePort(portText);
    if (!port) {
        setError(error, QStringLiteral("invalid port '%1' (0..65535; 0 picks a free port)").arg(portText));
        return std::nullopt;
    }
    result.port = *port;
    return result;
}

QString formatHostPort(const HostPort &hostPort)
{
    const QString port = QString::number(hostPort.port);
    if (hostPort.host.contains(u':')) {
        return u'[' + hostPort.host + QStringLiteral("]:") + port;
    }
    return hostPort.host + u':' + port;
}

bool isLoopbackHost(QStringView host)
{
    if (host.compare(u"localhost", Qt::CaseInsensitive) == 0 || host == u"::1"
        || host == u"0:0:0:0:0:0:0:1") {
        return true;
    }
    return isIpv4(host) && host.startsWith(u"127.");
}

bool isWildcardHost(QStringView host)
{
    return host == u"0.0.0.0" || host == u"::" || host == u"0:0:0:0:0:0:0:0";
}

std::optional<Target> parseTargetUrl(QStringView text, QString *error)
{
    Target target;
    QStringView rest;
    if (text.startsWith(u"http://")) {
        target.scheme = QStringLiteral("http");
        rest = text.mid(7);
    } else if (text.startsWith(u"https://")) {
        target.scheme = QStringLiteral("https");
        rest = text.mid(8);
    } else {
        setError(error, QStringLiteral("target URL '%1' must start with http:// or https://").arg(text));
        return std::nullopt;
    }
    if (rest.contains(u'@')) {
        setError(error, QStringLiteral("target URL '%1' must not contain user info").arg(text));
        return std::nullopt;
    }
    if (rest.contains(u'/') || rest.contains(u'?') || rest.contains(u'#')) {
        setError(error, QStringLiteral("target URL '%1' must not have a path, query or fragment; "
                                       "use the route's strip_prefix to rewrite paths").arg(text));
        return std::nullopt;
    }
    const bool hasPort = rest.startsWith(u'[') ? rest.contains(u"]:") : rest.contains(u':');
    if (!hasPort) {
        setError(error, QStringLiteral("target URL '%1' needs a port, e.g. %2:%3")
                            .arg(text, text, target.scheme == u"https" ? QStringLiteral("443") : QStringLiteral("80")));
        return std::nullopt;
    }
    QString hostError;
    const auto hostPort = parseHostPort(rest, &hostError);
    if (!hostPort) {
        setError(error, QStringLiteral("target URL '%1': %2").arg(text, hostError));
        return std::nullopt;
    }
    if (hostPort->port == 0) {
        setError(error, QStringLiteral("target URL '%1' needs a port from 1 to 65535").arg(text));
        return std::nullopt;
    }
    target.url = text.toString();
    target.host = hostPort->host;
    target.port = hostPort->port;
    return target;
}

std::optional<SecretRef> parseSecretRef(QStringView text, QString *error)
{
    struct Prefix
    {
        QStringView prefix;
        SecretRef::Kind kind;
    };
    static constexpr std::array<Prefix, 3> prefixes { {
        { u"keychain:", SecretRef::Kind::Keychain },
        { u"env:", SecretRef::Kind::Env },
        { u"file:", SecretRef::Kind::File },
    } };
    for (const Prefix &p : prefixes) {
        if (!text.startsWith(p.prefix)) {
            continue;
        }
        const QStringView name = text.mid(p.prefix.size());
        if (name.trimmed().isEmpty()) {
            setError(error, QStringLiteral("'%1' needs a name after the colon").arg(text));
            return std::nullopt;
        }
        if (p.kind == SecretRef::Kind::Env) {
            const bool valid = !isDigit(name.front())
                && std::all_of(name.begin(), name.end(), [](QChar c) { return isAlnum(c) || c == u'_'; });
            if (!valid) {
                setError(error, QStringLiteral("invalid environment variable name '%1'").arg(name));
                return std::nullopt;
            }
        }
        return SecretRef { p.kind, name.toString() };
    }
    setError(error, QStringLiteral("secrets never go in a profile; write a reference: "
                                   "keychain:NAME, env:NAME or file:PATH"));
    return std::nullopt;
}

QString formatSecretRef(const SecretRef &ref)
{
    switch (ref.kind) {
    case SecretRef::Kind::Keychain:
        return QStringLiteral("keychain:") + ref.name;
    case SecretRef::Kind::Env:
        return QStringLiteral("env:") + ref.name;
    case SecretRef::Kind::File:
        return QStringLiteral("file:") + ref.name;
    case SecretRef::Kind::None:
        break;
    }
    return {};
}

QStringList balanceNames()
{
    return { QStringLiteral("round_robin"), QStringLiteral("least_connections"), QStringLiteral("ip_hash"),
             QStringLiteral("consistent_hash"), QStringLiteral("random"), QStringLiteral("least_latency") };
}

QString balanceName(Balance balance)
{
    return balanceNames().at(int(balance));
}

std::optional<Balance> parseBalance(QStringView text)
{
    const qsizetype index = balanceNames().indexOf(text.toString());
    if (index < 0) {
        return std::nullopt;
    }
    return Balance(index);
}

bool isHttpToken(QStringView text)
{
    static constexpr QStringView extra = u"!#$%&'*+-.^_`|~";
    return !text.isEmpty()
        && std::all_of(text.begin(), text.end(), [](QChar c) { return isAlnum(c) || extra.contains(c); });
}

bool isHostPattern(QStringView text)
{
    if (text.startsWith(u"*.")) {
        return isHostName(text.mid(2));
    }
    return isIpv4(text) || isHostName(text);
}

bool isBracketedIpv6(QStringView text)
{
    if (text.size() < 4 || !text.startsWith(u'[') || !text.endsWith(u']')) {
        return false;
    }
    const QStringView inner = text.mid(1, text.size() - 2);
    return inner.contains(u':') && std::all_of(inner.begin(), inner.end(), [](QChar c) {
        return isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F') || c == u':' || c == u'.';
    });
}

bool isValidName(QStringView text)
{
    return !text.isEmpty() && isAlnum(text.front())
        && std::all_of(text.begin(), text.end(),
                       [](QChar c) { return isAlnum(c) || c == u'.' || c == u'_' || c == u'-'; });
}

bool isValidHashOn(QStringView text, QString *error)
{
    if (text == u"ip" || text == u"path" || isPrefixedName(text, { u"header", u"cookie", u"claim" })) {
        return true;
    }
    setError(error, QStringLiteral("invalid hash_on '%1'; use ip, path, header:NAME, cookie:NAME or claim:NAME").arg(text));
    return false;
}

bool isValidRateLimitKey(QStringView text, QString *error)
{
    if (text == u"consumer" || text == u"ip" || text == u"route" || text == u"global"
        || isPrefixedName(text, { u"header" })) {
        return true;
    }
    setError(error, QStringLiteral("invalid key '%1'; use consumer, ip, route, global or header:NAME").arg(text));
    return false;
}

bool isValidRateLimitStore(QStringView text, QString *error)
{
    if (text == u"local") {
        return true;
    }
    const QString usage = QStringLiteral("; use local or redis://HOST:PORT[/DB]");
    if (!text.startsWith(u"redis://")) {
        setError(error, QStringLiteral("invalid store '%1'").arg(text) + usage);
        return false;
    }
    QStringView rest = text.mid(8);
    if (rest.contains(u'@')) {
        setError(error, QStringLiteral("store '%1' must not contain credentials; secrets never go in a profile").arg(text));
        return false;
    }
    const qsizetype slash = rest.indexOf(u'/');
    if (slash >= 0) {
        const QStringView db = rest.mid(slash + 1);
        if (db.isEmpty() || db.size() > 5 || !std::all_of(db.begin(), db.end(), isDigit)) {
            setError(error, QStringLiteral("invalid redis database number in '%1'").arg(text) + usage);
            return false;
        }
        rest = rest.left(slash);
    }
    const auto hostPort = parseHostPort(rest);
    if (!hostPort || hostPort->port == 0) {
        setError(error, QStringLiteral("invalid store '%1'").arg(text) + usage);
        return false;
    }
    return true;
}

bool isValidTokenSource(QStringView text, QString *error)
{
    if (isPrefixedName(text, { u"header", u"cookie", u"query" })) {
        return true;
    }
    setError(error, QStringLiteral("invalid token source '%1'; use header:NAME, cookie:NAME or query:NAME").arg(text));
    return false;
}

bool isValidJwks(QStringView text, QString *error)
{
    if (text.startsWith(u"file:") ? text.size() > 5 : isHttpUrl(text)) {
        return true;
    }
    setError(error, QStringLiteral("invalid jwks '%1'; use file:PATH or an http(s) URL").arg(text));
    return false;
}

bool isValidCorsOrigin(QStringView text)
{
    if (text == u"*") {
        return true;
    }
    // Wildcards stand for a whole leading host label ("https://*.shop.test") or the port
    // ("http://localhost:*"); checked as a URL with them replaced.
    QString concrete = text.toString();
    const qsizetype hostStart = concrete.indexOf(QStringLiteral("://")) + 3;
    if (hostStart > 2 && QStringView(concrete).sliced(hostStart).startsWith(u"*.")) {
        concrete.replace(hostStart, 1, QStringLiteral("x"));
    }
    if (concrete.endsWith(QStringLiteral(":*"))) {
        concrete.replace(concrete.size() - 1, 1, QStringLiteral("1"));
    }
    if (concrete.contains(QLatin1Char('*'))) {
        return false;
    }
    const QUrl url(concrete, QUrl::StrictMode);
    return isHttpUrl(concrete) && url.path().isEmpty() && !url.hasQuery() && !url.hasFragment();
}

const QStringList &jwtAlgorithms()
{
    static const QStringList algorithms {
        QStringLiteral("HS256"), QStringLiteral("HS384"), QStringLiteral("HS512"),
        QStringLiteral("RS256"), QStringLiteral("RS384"), QStringLiteral("RS512"),
        QStringLiteral("PS256"), QStringLiteral("PS384"), QStringLiteral("PS512"),
        QStringLiteral("ES256"), QStringLiteral("ES384"), QStringLiteral("EdDSA"),
    };
    return algorithms;
}

bool isHmacAlgorithm(QStringView algorithm)
{
    return algorithm.startsWith(u"HS");
}

} // namespace gatehouse::profile
