#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QHash>
#include <QString>

#include "engine/redis/RedisConnection.h"
#include "engine/redis/RedisEndpoint.h"
#include "engine/redis/RedisValue.h"

class QThread;

namespace gatehouse::engine {

// A small Redis client for the request path, shared by every worker thread. Calls never block:
// each thread that calls gets a hiredis asynchronous connection of its own, driven by that
// thread's event loop, and the answer comes back on that thread within `timeout`. When Redis
// cannot answer in time, or answers with an error, the answer is nothing and the client backs
// off (RedisEndpoint): meanwhile calls are refused at once.
//
// The connections are the client's and go with it (a reload that drops it leaves none behind,
// which thread_local connections would): each is deleted on its own thread, or at once when that
// thread has ended.
class RedisClient final
{
public:
    static constexpr std::chrono::milliseconds kDefaultTimeout { 200 };

    // `purpose` names the client in log lines ("rate-limit store"). An invalid URL makes every
    // call fail.
    RedisClient(const QString &url, QString purpose, std::chrono::milliseconds timeout = kDefaultTimeout);
    ~RedisClient();
    RedisClient(const RedisClient &) = delete;
    RedisClient &operator=(const RedisClient &) = delete;

    // One command, e.g. {"EXISTS", key}, on this thread's connection; the thread must run an event
    // loop. False when it was not sent (backing off, no connection): the caller goes on without
    // an answer, and `done` is never called. Otherwise `done` runs later on this thread, once.
    bool command(std::vector<QByteArray> args, RedisReplyHandler done);
    // A Lua script with its keys and arguments: EVALSHA, then EVAL on NOSCRIPT. As command().
    bool script(const RedisScript &script, std::vector<QByteArray> keysAndArgs, int keyCount, RedisReplyHandler done);
    // Blocking, for what is never on a worker's request path (the admin API's revocations): a
    // connection of its own for one command, each step within the timeout. `error` says why not.
    std::optional<RedisValue> commandBlocking(const std::vector<QByteArray> &args, QString *error) const;

    const QString &url() const { return m_endpoint->url(); }
    const QString &purpose() const { return m_endpoint->purpose(); }
    // False from a failed call until a call succeeds again; then lastError() says what failed.
    bool available() const { return m_endpoint->available(); }
    QString lastError() const { return m_endpoint->lastError(); }

private:
    bool send(std::vector<QByteArray> args, QByteArray scriptSource, RedisReplyHandler done);

    std::shared_ptr<RedisEndpoint> m_endpoint;
    std::mutex m_mutex;
    QHash<QThread *, RedisConnection *> m_connections; // guarded by m_mutex
};

} // namespace gatehouse::engine
