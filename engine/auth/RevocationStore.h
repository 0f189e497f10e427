#pragma once

#include <QByteArray>
#include <QString>

namespace gatehouse::engine {

struct RevocationEntry;

// Where revoked tokens are kept: in the process (RevocationList), or in Redis so that several
// gateways refuse a token one of them was told to revoke (RedisRevocationStore). Each answers
// "is it revoked?" in its own way: the list at once, Redis later (see there).
class RevocationStore
{
public:
    virtual ~RevocationStore() = default;
    // False, with `error` saying why, when the revocation could not be recorded. Called from the
    // admin API and the app, never on a worker thread.
    virtual bool revoke(const RevocationEntry &entry, qint64 nowSeconds, QString *error) = 0;
};

} // namespace gatehouse::engine
