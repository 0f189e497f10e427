#include "ResponseHead.h"

namespace gatehouse::engine::http {

QByteArray ResponseHead::header(QByteArrayView name) const
{
    for (const Header &header : headers) {
        if (equalsIgnoringCase(name, header.name)) {
            return header.value;
        }
    }
    return {};
}

void ResponseHead::remove(QByteArrayView name)
{
    headers.removeIf([name](const Header &header) { return equalsIgnoringCase(name, header.name); });
}

} // namespace gatehouse::engine::http
