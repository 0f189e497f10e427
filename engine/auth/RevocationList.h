#pragma once

#include <atomic>
#include <optional>
#include <shared_mutex>

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>

#include "engine/auth/RevocationStore.h"

namespace gatehouse::engine {

// What a revocation is keyed by: "jti:<jti>", or "sha256:<hex>" of the whole token when it has
// no jti; and until when it matters (the token's exp, to which Gateway::revoke adds the leeway
// it is still accepted for; a token without exp stays revoked).
struct RevocationEntry
{
    QByteArray id;
    qint64 untilSeconds = 0;
};

RevocationEntry revocationEntryFor(const QJsonObject &claims, QByteArrayView token);
// For the admin API, which revokes a token it has not verified: reads jti and exp from the
// payload without checking the signature (revoking a forged token harms no one).
std::optional<RevocationEntry> revocationEntryForUnverified(QByteArrayView token);

// Revoked tokens, shared by every worker (the local store; SPEC §4 POST /admin/jwt/revoke).
// Checking is lock-free while nothing is revoked and takes a shared lock otherwise; entries
// vanish once their token has expired anyway.
class RevocationList final : public RevocationStore
{
public:
    static constexpr qsizetype kMaxEntries = 100'000;

    // False when the list is full of unexpired entries.
    bool revoke(const RevocationEntry &entry, qint64 nowSeconds, QString *error) override;
    bool isRevoked(const QByteArray &id, qint64 nowSeconds);
    qsizetype size() const;

private:
    void dropExpired(qint64 nowSeconds);

    mutable std::shared_mutex m_mutex;
    QHash<QByteArray, qint64> m_entries;
    std::atomic<qsizetype> m_count { 0 };
};

} // namespace gatehouse::engine
