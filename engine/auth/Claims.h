#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringView>

namespace gatehouse::engine {

// A claim by its name, else as a dotted path into nested objects ("realm_access.roles"), the
// way identity providers such as Keycloak nest roles. Undefined when absent.
QJsonValue claimValue(const QJsonObject &claims, QStringView name);

// A `require` condition: equal to `expected`, or, for an array claim, containing it. Numbers
// and booleans compare by their JSON text ("42", "true").
bool claimMatches(const QJsonValue &value, QStringView expected);

// A claim as an HTTP header value: strings as they are, arrays joined with ",", other values as
// compact JSON. Empty when the value is absent or holds bytes a header must not carry (CR, LF,
// NUL, other controls): a token can never inject a header.
QByteArray claimHeaderValue(const QJsonValue &value);

} // namespace gatehouse::engine
