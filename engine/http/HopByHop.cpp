#include "HopByHop.h"

namespace gatehouse::engine::http {

namespace {

bool isAlwaysHopByHop(QByteArrayView name)
{
    static const char *const names[] = { "connection", "keep-alive", "te", "trailer",
                                         "transfer-encoding", "upgrade" };
    for (const char *candidate : names) {
        if (name.compare(QByteArrayView(candidate), Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return name.size() > 6 && name.first(6).compare("proxy-", Qt::CaseInsensitive) == 0;
}

} // namespace

HopByHop::HopByHop(const MessageHead &head)
{
    for (const Header &header : head.headers) {
        if (header.name.compare("connection", Qt::CaseInsensitive) != 0) {
            continue;
        }
        QByteArrayView rest(header.value);
        while (!rest.isEmpty()) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView token = (comma < 0 ? rest : rest.first(comma)).trimmed();
            if (!token.isEmpty()) {
                m_named.append(token);
            }
            rest = comma < 0 ? QByteArrayView() : rest.sliced(comma + 1);
        }
    }
}

bool HopByHop::contains(QByteArrayView name) const
{
    if (isAlwaysHopByHop(name)) {
        return true;
    }
    for (const QByteArrayView named : m_named) {
        if (name.compare(named, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace gatehouse::engine::http
