#include "HopByHop.h"

namespace gatehouse::engine::http {

namespace {

bool isAlwaysHopByHop(QByteArrayView name)
{
    static constexpr QByteArrayView names[] = { "connection", "keep-alive", "te", "trailer",
                                         "transfer-encoding", "upgrade" };
    for (const QByteArrayView candidate : names) {
        if (equalsIgnoringCase(name, candidate)) {
            return true;
        }
    }
    return name.size() > 6 && equalsIgnoringCase(name.first(6), "proxy-");
}

} // namespace

HopByHop::HopByHop(const MessageHead &head)
{
    for (const Header &header : head.headers) {
        if (!equalsIgnoringCase(header.name, "connection")) {
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
        if (equalsIgnoringCase(name, named)) {
            return true;
        }
    }
    return false;
}

} // namespace gatehouse::engine::http
