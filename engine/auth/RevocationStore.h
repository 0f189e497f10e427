#pragma once

#include <QByteArray>
#include <QString>

namespace gatehouse::engine {

struct RevocationEntry;

// Where revoked tokens are kept: in the process (RevocationList), or in Redis so that several
// gateways refuse a token one of them was told to revoke (RedisRevocationStore).
class RevocationStore
{
public:
    virtual ~RevocationStore() = default;
    // False, with `error` saying why, when the revocation could not be recorded.
    virtual bool revoke(const RevocationEntry &entry, qint64 nowSeconds, QString *error) = 0;
    // A store that cannot be asked answers false: a Redis outage must not lock everybody out.
    virtual bool isRevoked(const QByteArray &id, qint64 nowSeconds) = 0;
};

} // namespace gatehouse::engine
