#include "RevocationList.h"

#include <cmath>
#include <limits>
#include <mutex>

#include <QCryptographicHash>
#include <QJsonDocument>

#include "engine/auth/Base64Url.h"

namespace gatehouse::engine {

namespace {

RevocationEntry entryFrom(const QJsonObject &claims, QByteArrayView token)
{
    RevocationEntry entry;
    const QString jti = claims.value(QStringLiteral("jti")).toString();
    entry.id = jti.isEmpty() ? "sha256:" + QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex()
                             : "jti:" + jti.toUtf8();
    const QJsonValue exp = claims.value(QStringLiteral("exp"));
    // An exp that no qint64 holds (or none) keeps the token revoked for good.
    entry.untilSeconds = exp.isDouble() && std::fabs(exp.toDouble()) < 9e15 ? qint64(exp.toDouble()) + 1
                                                                            : std::numeric_limits<qint64>::max();
    return entry;
}

} // namespace

RevocationEntry revocationEntryFor(const QJsonObject &claims, QByteArrayView token)
{
    return entryFrom(claims, token);
}

std::optional<RevocationEntry> revocationEntryForUnverified(QByteArrayView token)
{
    const qsizetype first = token.indexOf('.');
    const qsizetype last = token.lastIndexOf('.');
    if (first <= 0 || last <= first) {
        return std::nullopt;
    }
    const auto payload = base64UrlDecode(token.sliced(first + 1, last - first - 1));
    const QJsonDocument document = payload ? QJsonDocument::fromJson(*payload) : QJsonDocument();
    if (!document.isObject()) {
        return std::nullopt;
    }
    return entryFrom(document.object(), token);
}

bool RevocationList::revoke(const RevocationEntry &entry, qint64 nowSeconds, QString *error)
{
    std::unique_lock lock(m_mutex);
    if (m_entries.size() >= kMaxEntries) {
        dropExpired(nowSeconds);
        if (m_entries.size() >= kMaxEntries && !m_entries.contains(entry.id)) {
            *error = QStringLiteral("the revocation list is full (%1 unexpired tokens)").arg(kMaxEntries);
            return false;
        }
    }
    qint64 &until = m_entries[entry.id];
    until = std::max(until, entry.untilSeconds);
    m_count.store(m_entries.size(), std::memory_order_release);
    return true;
}

bool RevocationList::isRevoked(const QByteArray &id, qint64 nowSeconds)
{
    if (m_count.load(std::memory_order_acquire) == 0) {
        return false;
    }
    std::shared_lock lock(m_mutex);
    const auto found = m_entries.constFind(id);
    return found != m_entries.cend() && nowSeconds < *found;
}

qsizetype RevocationList::size() const
{
    return m_count.load(std::memory_order_acquire);
}

void RevocationList::dropExpired(qint64 nowSeconds)
{
    m_entries.removeIf([nowSeconds](const auto &entry) { return entry.value() <= nowSeconds; });
}

} // namespace gatehouse::engine
