#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <QByteArray>
#include <QString>

#include "engine/ratelimit/RateLimitStore.h"

namespace gatehouse::engine {

// Buckets in Redis, shared by every gateway that names the same server: `store:
// redis://HOST:PORT[/DB]`. One Lua script per check reads the TAT, applies the GCRA and writes
// it back atomically, so gateways racing on a key never admit more than the bucket holds.
//
// The script takes "now" from the Redis server's TIME, not from the gateways: gateways on
// different machines (or a container with its own clock) would otherwise disagree on how
// far a TAT lies in the future, and the one with the slowest clock would get extra requests.
// The caller's nowNs is therefore ignored. Keys carry a PEXPIRE at their TAT, so an idle key
// vanishes exactly when its bucket is full again.
//
// A check never blocks longer than `timeout` (connect and commands together). When Redis
// cannot answer in time it returns Outcome::Unavailable and the caller fails open or closed.
// Then it backs off (100 ms doubling to 2 s): meanwhile checks answer Unavailable at once,
// and one check per backoff period tries again.
//
// Connections come from a pool owned by the store, taken for one check and put back: at most
// one per thread checking at the same time, so in practice one per worker, and all of them
// closed with the store (a reload that drops the store leaves no connection behind, which a
// thread_local would).
class RedisRateLimitStore final : public RateLimitStore
{
public:
    static constexpr std::chrono::milliseconds kDefaultTimeout { 200 };

    // `url` as the profile validates it (profile::isValidRateLimitStore). An invalid one makes
    // every check Unavailable.
    explicit RedisRateLimitStore(const QString &url, std::chrono::milliseconds timeout = kDefaultTimeout);
    ~RedisRateLimitStore() override;
    RedisRateLimitStore(const RedisRateLimitStore &) = delete;
    RedisRateLimitStore &operator=(const RedisRateLimitStore &) = delete;

    RateLimitDecision check(const RateLimit &limit, QByteArrayView key, qint64 nowNs) override;

private:
    struct Connection; // a hiredis context; hiredis stays out of this header
    bool mayTry(qint64 nowNs);
    std::unique_ptr<Connection> takeIdle();
    std::unique_ptr<Connection> connect(qint64 deadlineNs, QString *error);
    void giveBack(std::unique_ptr<Connection> connection);
    void markFailure(const QString &error);
    void markSuccess();

    QString m_url; // for log lines; never holds credentials (the profile refuses them)
    QByteArray m_host;
    int m_port = 0;
    int m_db = 0;
    bool m_valid = false;
    qint64 m_timeoutNs;

    std::mutex m_poolMutex;
    std::vector<std::unique_ptr<Connection>> m_idle; // guarded by m_poolMutex

    // 0 while Redis answers; else steady ns before which checks do not try (see mayTry).
    std::atomic<qint64> m_retryAtNs { 0 };
    std::mutex m_backoffMutex;
    qint64 m_backoffNs = 0; // guarded by m_backoffMutex
};

} // namespace gatehouse::engine
