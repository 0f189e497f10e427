#include "RedisConnection.h"

#include <algorithm>
#include <cerrno>

#include <sys/socket.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <QSocketNotifier>

#include "engine/base/SteadyClock.h"
#include "engine/redis/HiredisReply.h"
#include "engine/redis/SigpipeBlock.h"

namespace gatehouse::engine {

struct RedisConnection::Call
{
    std::vector<QByteArray> args;
    QByteArray scriptSource;
    RedisReplyHandler done;
    qint64 deadlineNs = 0;
};

namespace {

RedisConnection *owner(const redisAsyncContext *context)
{
    return static_cast<RedisConnection *>(context->data);
}

QString errorOf(const redisAsyncContext *context)
{
    return context->errstr[0] != '\0' ? QString::fromUtf8(context->errstr) : QStringLiteral("connection closed");
}

// Redis closed the connection (its client timeout, a restart) and the loop has not read the EOF yet.
bool closedByPeer(int fd)
{
    char byte = 0;
    const ssize_t peeked = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

} // namespace

RedisConnection::RedisConnection(std::shared_ptr<RedisEndpoint> endpoint)
    : m_endpoint(std::move(endpoint))
{
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer);
    connect(&m_deadline, &QTimer::timeout, this, [this] { onDeadline(); });
}

RedisConnection::~RedisConnection()
{
    // Nobody waits for these answers any more: a request keeps its store, and so this
    // connection's client, until it ends.
    m_destroying = true;
    if (redisAsyncContext *context = std::exchange(m_context, nullptr)) {
        redisAsyncFree(context);
    }
}

bool RedisConnection::send(std::vector<QByteArray> args, QByteArray scriptSource, RedisReplyHandler done)
{
    // An idle connection Redis closed: connect again, rather than lose the call and back off
    // while Redis is fine.
    if (m_context && m_waiting.isEmpty() && (m_context->c.flags & REDIS_CONNECTED) && closedByPeer(m_context->c.fd)) {
        redisAsyncFree(std::exchange(m_context, nullptr));
    }
    if (!m_context && !open()) {
        return false;
    }
    auto *call = new Call { std::move(args), std::move(scriptSource), std::move(done), steadyNowNs() + m_endpoint->timeoutNs() };
    if (!dispatch(call)) {
        delete call;
        m_endpoint->markFailure(errorOf(m_context));
        return false;
    }
    m_waiting.append(call);
    armDeadline();
    return true;
}

bool RedisConnection::open()
{
    redisAsyncContext *context = redisAsyncConnect(m_endpoint->host().constData(), m_endpoint->port());
    if (!context || context->err) {
        m_endpoint->markFailure(context ? errorOf(context) : QStringLiteral("out of memory"));
        if (context) {
            redisAsyncFree(context);
        }
        return false;
    }
    context->data = this;
    m_read = new QSocketNotifier(context->c.fd, QSocketNotifier::Read, this);
    m_write = new QSocketNotifier(context->c.fd, QSocketNotifier::Write, this);
    m_read->setEnabled(false);
    m_write->setEnabled(false);
    connect(m_read, &QSocketNotifier::activated, this, [this] {
        if (m_context) {
            redisAsyncHandleRead(m_context);
        }
    });
    connect(m_write, &QSocketNotifier::activated, this, [this] {
        if (m_context) {
            const SigpipeBlock sigpipeBlock;
            redisAsyncHandleWrite(m_context);
        }
    });
    context->ev.data = this;
    context->ev.addRead = [](void *self) { static_cast<RedisConnection *>(self)->m_read->setEnabled(true); };
    context->ev.delRead = [](void *self) { static_cast<RedisConnection *>(self)->m_read->setEnabled(false); };
    context->ev.addWrite = [](void *self) { static_cast<RedisConnection *>(self)->m_write->setEnabled(true); };
    context->ev.delWrite = [](void *self) { static_cast<RedisConnection *>(self)->m_write->setEnabled(false); };
    context->ev.cleanup = [](void *self) { static_cast<RedisConnection *>(self)->releaseNotifiers(); };
    redisAsyncSetConnectCallback(context, &RedisConnection::onConnect);
    redisAsyncSetDisconnectCallback(context, &RedisConnection::onDisconnect);
    m_context = context;
    if (m_endpoint->db() != 0) {
        // Queued ahead of every command; if Redis refuses it the connection is dropped, so no
        // command runs in the wrong database.
        const bool sent = send({ "SELECT", QByteArray::number(m_endpoint->db()) }, {}, [this](std::optional<RedisValue> selected) {
            if (!selected && m_context) {
                redisAsyncDisconnect(m_context);
            }
        });
        return sent && m_context;
    }
    return true;
}

bool RedisConnection::dispatch(Call *call)
{
    std::vector<const char *> argv;
    std::vector<size_t> argvLen;
    for (const QByteArray &arg : call->args) {
        argv.push_back(arg.constData());
        argvLen.push_back(size_t(arg.size()));
    }
    return redisAsyncCommandArgv(m_context, &RedisConnection::onReply, call, int(argv.size()), argv.data(), argvLen.data())
        == REDIS_OK;
}

void RedisConnection::onReply(redisAsyncContext *context, void *reply, void *privdata)
{
    owner(context)->handleReply(context, static_cast<Call *>(privdata), reply);
}

void RedisConnection::onConnect(const redisAsyncContext *context, int status)
{
    if (status != REDIS_OK) {
        owner(context)->lost(context);
    }
}

void RedisConnection::onDisconnect(const redisAsyncContext *context, int status)
{
    if (status != REDIS_OK) {
        owner(context)->lost(context);
    }
    RedisConnection *self = owner(context);
    if (self->m_context == context) {
        self->m_context = nullptr;
    }
}

void RedisConnection::handleReply(const redisAsyncContext *context, Call *call, const void *reply)
{
    if (!reply) { // hiredis is freeing the context: the command may never have run
        lost(context);
        finish(call, std::nullopt);
        return;
    }
    const redisReply &answer = *static_cast<const redisReply *>(reply);
    if (answer.type == REDIS_REPLY_ERROR) {
        const QByteArrayView text(answer.str, qsizetype(answer.len));
        if (text.startsWith("NOSCRIPT") && !call->scriptSource.isEmpty() && call->args[0] == "EVALSHA") {
            call->args[0] = "EVAL";
            call->args[1] = call->scriptSource;
            if (dispatch(call)) {
                return;
            }
        }
        m_endpoint->markFailure(QString::fromUtf8(text));
        finish(call, std::nullopt);
        return;
    }
    m_endpoint->markSuccess();
    finish(call, toRedisValue(answer));
}

// The context is going away (hiredis frees it after a read or write error, or a failed connect).
// An idle connection Redis closed (its client timeout, a restart) is no outage: the next call
// connects again.
void RedisConnection::lost(const redisAsyncContext *context)
{
    if (m_context != context) {
        return; // reported already, or dropped on purpose
    }
    m_context = nullptr;
    if (!m_waiting.isEmpty() && !m_destroying) {
        m_endpoint->markFailure(errorOf(context));
    }
}

void RedisConnection::finish(Call *call, std::optional<RedisValue> value)
{
    m_waiting.removeOne(call);
    RedisReplyHandler done = std::move(call->done);
    delete call;
    armDeadline();
    if (!m_destroying) {
        done(std::move(value));
    }
}

void RedisConnection::armDeadline()
{
    if (m_waiting.isEmpty() || m_destroying) {
        m_deadline.stop();
        return;
    }
    // A NOSCRIPT retry keeps its deadline, so the oldest deadline is not always the first call's.
    qint64 earliestNs = m_waiting.first()->deadlineNs;
    for (const Call *call : std::as_const(m_waiting)) {
        earliestNs = std::min(earliestNs, call->deadlineNs);
    }
    const qint64 leftMs = std::max<qint64>(0, (earliestNs - steadyNowNs() + 999'999) / 1'000'000);
    m_deadline.start(int(leftMs));
}

void RedisConnection::onDeadline()
{
    const qint64 nowNs = steadyNowNs();
    const bool expired = std::any_of(m_waiting.cbegin(), m_waiting.cend(), [nowNs](const Call *call) { return call->deadlineNs <= nowNs; });
    if (!expired || !m_context) {
        armDeadline();
        return;
    }
    m_endpoint->markFailure(QStringLiteral("no reply within %1 ms").arg(m_endpoint->timeoutNs() / 1'000'000));
    // Freeing answers every waiting call with nothing; a late reply then has nowhere to go.
    redisAsyncFree(std::exchange(m_context, nullptr));
}

void RedisConnection::releaseNotifiers()
{
    // Called from inside a notifier's own signal at times: disabled now, deleted later.
    for (QSocketNotifier *notifier : { std::exchange(m_read, nullptr), std::exchange(m_write, nullptr) }) {
        if (notifier) {
            notifier->setEnabled(false);
            notifier->deleteLater();
        }
    }
}

} // namespace gatehouse::engine
