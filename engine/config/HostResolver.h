#pragma once

#include <optional>

#include <QHostAddress>
#include <QString>

namespace gatehouse::engine {

// An IP literal as is; a name through the system resolver, preferring IPv4 (most local
// services listen on 127.0.0.1 only). Blocking: for profile loading, never per request.
std::optional<QHostAddress> resolveHost(const QString &host, QString *error);

} // namespace gatehouse::engine
