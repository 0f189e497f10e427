#pragma once

#include "Profile.h"

#include <optional>

#include <QString>
#include <QStringList>
#include <QStringView>

// Parsing and formatting of the small value types in a profile: addresses, target URLs, secret
// references, balance names and the "kind:NAME" keys. The reader uses these, and so can a form
// that validates as the user types. On failure, *error (when given) says what is wrong.
namespace gatehouse::profile {

// "127.0.0.1:8080", "localhost:8080", "[::1]:8080"; port 0..65535 where 0 means any free port.
std::optional<HostPort> parseHostPort(QStringView text, QString *error = nullptr);
QString formatHostPort(const HostPort &hostPort);
// 127.0.0.0/8, ::1 and "localhost".
bool isLoopbackHost(QStringView host);
// 0.0.0.0 and ::, which overlap every other address on the same port.
bool isWildcardHost(QStringView host);

// "http://host:port" or "https://host:port": scheme, host and port required; no user info, path,
// query or fragment. Fills url (as written), scheme, host and port; weight stays 1.
std::optional<Target> parseTargetUrl(QStringView text, QString *error = nullptr);

// "keychain:NAME", "env:NAME" or "file:PATH". Anything else is refused: secrets never go in a profile.
std::optional<SecretRef> parseSecretRef(QStringView text, QString *error = nullptr);
QString formatSecretRef(const SecretRef &ref);

QString balanceName(Balance balance);
std::optional<Balance> parseBalance(QStringView text);
QStringList balanceNames();

// An RFC 9110 token: methods and header names.
bool isHttpToken(QStringView text);
// A host name, an IPv4 address, or "*.suffix".
bool isHostPattern(QStringView text);
// An IPv6 literal as it appears in a Host header: "[::1]".
bool isBracketedIpv6(QStringView text);
// Names of routes, upstreams, services and profiles: letters, digits, '.', '_' and '-'.
bool isValidName(QStringView text);

// consistent_hash keys: "ip" | "path" | "header:NAME" | "cookie:NAME" | "claim:NAME".
bool isValidHashOn(QStringView text, QString *error = nullptr);
// Rate-limit keys: "consumer" | "ip" | "route" | "global" | "header:NAME".
bool isValidRateLimitKey(QStringView text, QString *error = nullptr);
// Rate-limit stores: "local" | "redis://host:port[/db]".
bool isValidRateLimitStore(QStringView text, QString *error = nullptr);
// Where a JWT is taken from: "header:NAME" | "cookie:NAME" | "query:NAME".
bool isValidTokenSource(QStringView text, QString *error = nullptr);
// "file:PATH" or an http(s) URL.
bool isValidJwks(QStringView text, QString *error = nullptr);
// A CORS origin: "*" or "scheme://host[:port]".
bool isValidCorsOrigin(QStringView text);

// HS256/384/512, RS256/384/512, PS256/384/512, ES256/384, EdDSA.
const QStringList &jwtAlgorithms();
bool isHmacAlgorithm(QStringView algorithm);

} // namespace gatehouse::profile
