#pragma once

#include <atomic>
#include <chrono>
#include <mutex>

#include <QByteArray>
#include <QString>

namespace gatehouse::engine {

// One Redis server as a client sees it (`redis://HOST:PORT[/DB]`, as the profile validates it),
// and whether it answers. Shared by the client and its per-thread connections, so a connection
// that outlives its client (it is deleted on its own thread, later) still has it.
//
// After a failure calls back off (100 ms doubling to 2 s): meanwhile they give up at once and one
// call per period tries again, so an outage costs one timeout per period, not one per request.
// The outage and the recovery are logged once each.
class RedisEndpoint final
{
public:
    RedisEndpoint(const QString &url, QString purpose, std::chrono::milliseconds timeout);

    bool valid() const { return m_valid; }
    const QString &url() const { return m_url; }
    const QString &purpose() const { return m_purpose; }
    const QByteArray &host() const { return m_host; }
    int port() const { return m_port; }
    int db() const { return m_db; }
    qint64 timeoutNs() const { return m_timeoutNs; }

    // While Redis answers this is one atomic load. After a failure, calls before the retry time
    // are refused; the first one after it moves the retry time past its own deadline and is the
    // only one to try.
    bool mayTry(qint64 nowNs);
    void markFailure(const QString &error);
    void markSuccess();
    bool available() const { return m_valid && m_retryAtNs.load(std::memory_order_acquire) == 0; }
    QString lastError() const;

private:
    QString m_url; // for log lines; never holds credentials (the profile refuses them)
    QString m_purpose;
    QByteArray m_host;
    int m_port = 0;
    int m_db = 0;
    bool m_valid = false;
    qint64 m_timeoutNs;

    // 0 while Redis answers; else steady ns before which calls do not try (see mayTry).
    std::atomic<qint64> m_retryAtNs { 0 };
    mutable std::mutex m_mutex;
    qint64 m_backoffNs = 0; // guarded by m_mutex
    QString m_lastError; // guarded by m_mutex
};

} // namespace gatehouse::engine
