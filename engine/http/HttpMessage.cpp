#include "HttpMessage.h"

namespace gatehouse::engine::http {

QByteArray MessageHead::header(QByteArrayView name) const
{
    for (const Header &h : headers) {
        if (equalsIgnoringCase(h.name, name)) {
            // A present header with an empty value must still read as present (not null).
            return h.value.isNull() ? QByteArray("", 0) : h.value;
        }
    }
    return {};
}

QByteArray MessageHead::cookie(QByteArrayView name) const
{
    for (const Header &header : headers) {
        if (!equalsIgnoringCase(header.name, "cookie")) {
            continue;
        }
        for (const QByteArray &part : header.value.split(';')) {
            const QByteArray pair = part.trimmed();
            if (pair.size() > name.size() && pair.startsWith(name) && pair.at(name.size()) == '=') {
                return pair.sliced(name.size() + 1);
            }
        }
    }
    return {};
}

} // namespace gatehouse::engine::http
