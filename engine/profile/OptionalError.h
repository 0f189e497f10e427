#pragma once

#include <QString>

namespace gatehouse::profile::detail {

// For parsers whose caller may or may not want the reason: `error` may be null.
inline void setError(QString *error, const QString &message)
{
    if (error) {
        *error = message;
    }
}

} // namespace gatehouse::profile::detail
