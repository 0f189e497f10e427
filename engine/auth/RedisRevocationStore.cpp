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
    QString problem;
    const auto reply = forever ? m_client.commandBlocking({ "SET", key, "1" }, &problem)
                               : m_client.commandBlocking({ "SET", key, "1", "EXAT", until }, &problem);
    if (!reply) {
        *error = QStringLiteral("revocation store %1 is unavailable: %2").arg(m_client.url(), problem);
        return false;
    }
    return true;
}

bool RedisRevocationStore::isRevoked(const QByteArray &id, std::function<void(bool revoked)> answer)
{
    return m_client.command({ "EXISTS", keyFor(id) }, [answer = std::move(answer)](std::optional<RedisValue> reply) {
        answer(reply && reply->type == RedisValue::Type::Integer && reply->integer == 1);
    });
}

} // namespace gatehouse::engine
