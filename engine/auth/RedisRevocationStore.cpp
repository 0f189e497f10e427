#include "RedisRevocationStore.h"

#include <limits>

#include "engine/auth/RevocationList.h"

namespace gatehouse::engine {

namespace {

QByteArray keyFor(const QByteArray &id)
{
    return "gatehouse:rv:" + id;
}

} // namespace

RedisRevocationStore::RedisRevocationStore(const QString &url)
    : m_client(url, QStringLiteral("revocation store"))
{
}

bool RedisRevocationStore::revoke(const RevocationEntry &entry, qint64 nowSeconds, QString *error)
{
    if (entry.untilSeconds <= nowSeconds) {
        return true; // expired already: refused anyway
    }
    const QByteArray key = keyFor(entry.id);
    const QByteArray until = QByteArray::number(entry.untilSeconds);
    const bool forever = entry.untilSeconds == std::numeric_limits<qint64>::max();
    const auto reply = forever ? m_client.command({ "SET", key, "1" }) : m_client.command({ "SET", key, "1", "EXAT", until });
    if (!reply) {
        *error = QStringLiteral("revocation store %1 is unavailable").arg(m_client.url());
        return false;
    }
    return true;
}

bool RedisRevocationStore::isRevoked(const QByteArray &id, qint64)
{
    const auto reply = m_client.command({ "EXISTS", keyFor(id) });
    return reply && reply->type == RedisValue::Type::Integer && reply->integer == 1;
}

} // namespace gatehouse::engine
