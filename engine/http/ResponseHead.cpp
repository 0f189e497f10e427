#include "ResponseHead.h"

namespace gatehouse::engine::http {

QByteArray ResponseHead::header(QByteArrayView name) const
{
    for (const Header &header : headers) {
        if (name.compare(header.name, Qt::CaseInsensitive) == 0) {
            return header.value;
        }
    }
    return {};
}

void ResponseHead::remove(QByteArrayView name)
{
    headers.removeIf([name](const Header &header) { return name.compare(header.name, Qt::CaseInsensitive) == 0; });
}

} // namespace gatehouse::engine::http
