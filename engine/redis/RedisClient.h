#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace gatehouse::engine {

// A Redis reply, as plain values (hiredis stays in the .cpp).
struct RedisValue
{
    enum class Type { Nil, Integer, String, Status, Array };
    Type type = Type::Nil;
    qint64 integer = 0;
    QByteArray text; // String and Status
    QList<RedisValue> elements; // Array
};

// A Lua script and its SHA1, computed once.
struct RedisScript
{
    explicit RedisScript(QByteArray text);
    QByteArray source;
    QByteArray sha;
};

// A small synchronous Redis client for the request path, shared by every worker thread
// (`redis://HOST:PORT[/DB]`, as the profile validates it).
//
// A call never blocks longer than `timeout` (connect and commands together). When Redis cannot
// answer in time, or answers with an error, the call returns nothing and the client backs off
// (100 ms doubling to 2 s): meanwhile calls return nothing at once and one call per period tries
// again, so an outage costs one timeout per period, not one per request. The outage and the
// recovery are logged once each.
//
// Connections come from a pool owned by the client, taken for one call and put back: at most one
// per thread calling at the same time, so in practice one per worker, all closed with the client
// (a reload that drops it leaves no connection behind, which a thread_local would).
class RedisClient final
{
public:
    static constexpr std::chrono::milliseconds kDefaultTimeout { 200 };

    // `purpose` names the client in log lines ("rate-limit store"). An invalid URL makes every
    // call return nothing.
    RedisClient(const QString &url, QString purpose, std::chrono::milliseconds timeout = kDefaultTimeout);
    ~RedisClient();
    RedisClient(const RedisClient &) = delete;
    RedisClient &operator=(const RedisClient &) = delete;

    // One command, e.g. {"EXISTS", key}.
    std::optional<RedisValue> command(const std::vector<QByteArrayView> &args);
    // A Lua script with its keys and arguments: EVALSHA, and EVAL when Redis does not have it
    // (NOSCRIPT: restarted or flushed since), on one connection within one deadline.
    std::optional<RedisValue> script(const RedisScript &script, const std::vector<QByteArrayView> &keysAndArgs, int keyCount);
    const QString &url() const { return m_url; }
    const QString &purpose() const { return m_purpose; }
    // False from a failed call until a call succeeds again; then lastError() says what failed.
    bool available() const { return m_valid && m_retryAtNs.load(std::memory_order_acquire) == 0; }
    QString lastError() const;

private:
    struct Connection; // a hiredis context
    template<typename Call>
    std::optional<RedisValue> run(const Call &call);
    bool mayTry(qint64 nowNs);
    std::unique_ptr<Connection> takeIdle();
    std::unique_ptr<Connection> connect(qint64 deadlineNs, QString *error);
    void giveBack(std::unique_ptr<Connection> connection);
    void markFailure(const QString &error);
    void markSuccess();

    QString m_url; // for log lines; never holds credentials (the profile refuses them)
    QString m_purpose;
    QByteArray m_host;
    int m_port = 0;
    int m_db = 0;
    bool m_valid = false;
    qint64 m_timeoutNs;

    std::mutex m_poolMutex;
    std::vector<std::unique_ptr<Connection>> m_idle; // guarded by m_poolMutex

    // 0 while Redis answers; else steady ns before which calls do not try (see mayTry).
    std::atomic<qint64> m_retryAtNs { 0 };
    mutable std::mutex m_backoffMutex;
    qint64 m_backoffNs = 0; // guarded by m_backoffMutex
    QString m_lastError; // guarded by m_backoffMutex
};

} // namespace gatehouse::engine
