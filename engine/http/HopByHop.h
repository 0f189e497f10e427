#pragma once

#include <QByteArrayView>
#include <QList>

#include "engine/http/HttpMessage.h"

namespace gatehouse::engine::http {

// SPEC §6: Connection and the headers it names, Keep-Alive, Proxy-*, TE, Trailer,
// Transfer-Encoding and Upgrade belong to one hop and are never forwarded.
class HopByHop final
{
public:
    explicit HopByHop(const MessageHead &head);
    bool contains(QByteArrayView name) const;

private:
    QList<QByteArrayView> m_named; // tokens of the Connection header(s), views into head
};

} // namespace gatehouse::engine::http
