#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTimer>

#include "engine/redis/RedisEndpoint.h"
#include "engine/redis/RedisValue.h"

struct redisAsyncContext;
class QSocketNotifier;

namespace gatehouse::engine {

// A call's answer: the value, or nothing when Redis did not answer in time, answered an error, or
// the connection was lost.
using RedisReplyHandler = std::function<void(std::optional<RedisValue>)>;

// One hiredis asynchronous connection, driven by the event loop of the thread it lives on: two
// QSocketNotifiers stand in for hiredis' event-library hooks, so the worker's epoll dispatcher
// runs it like a client socket. (hiredis 0.14's adapters/qt.h does not work with Qt 6: it
// connects to activated(int), a signal Qt 6 no longer has, needs moc on a system header, deletes a
// notifier from inside its own signal, and would let a write raise SIGPIPE.) hiredis 0.14 has no timeouts of its own: one timer
// watches the oldest deadline, and a call Redis leaves unanswered past it drops the connection,
// which answers every waiting call with nothing (the next call that may try connects again).
class RedisConnection final : public QObject
{
public:
    explicit RedisConnection(std::shared_ptr<RedisEndpoint> endpoint);
    ~RedisConnection() override;
    Q_DISABLE_COPY_MOVE(RedisConnection)

    // Sends `args`; with `scriptSource`, an EVALSHA that Redis answers NOSCRIPT (restarted or
    // flushed since) is sent again as EVAL, within the same deadline. False, without calling
    // `done`, when it could not be sent; otherwise `done` runs later on this thread, exactly once.
    bool send(std::vector<QByteArray> args, QByteArray scriptSource, RedisReplyHandler done);

private:
    struct Call;
    static void onReply(redisAsyncContext *context, void *reply, void *privdata);
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    bool open();
    bool dispatch(Call *call);
    void handleReply(const redisAsyncContext *context, Call *call, const void *reply);
    void lost(const redisAsyncContext *context);
    void finish(Call *call, std::optional<RedisValue> value);
    void armDeadline();
    void onDeadline();
    void releaseNotifiers();

    std::shared_ptr<RedisEndpoint> m_endpoint;
    redisAsyncContext *m_context = nullptr;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
    QTimer m_deadline;
    QList<Call *> m_waiting; // sent and not answered yet, oldest first
    bool m_destroying = false;
};

} // namespace gatehouse::engine
