#include "RedisClient.h"

#include <hiredis/hiredis.h>

#include <QThread>

#include "engine/base/SteadyClock.h"
#include "engine/redis/HiredisReply.h"
#include "engine/redis/SigpipeBlock.h"

namespace gatehouse::engine {

RedisClient::RedisClient(const QString &url, QString purpose, std::chrono::milliseconds timeout)
    : m_endpoint(std::make_shared<RedisEndpoint>(url, std::move(purpose), timeout))
{
}

RedisClient::~RedisClient()
{
    for (RedisConnection *connection : std::as_const(m_connections)) {
        // Never at once on a running thread: this may run inside one of its hiredis callbacks.
        // (thread() is null once the QThread object is gone.)
        const QThread *thread = connection->thread();
        if (thread && thread->isRunning()) {
            connection->deleteLater();
        } else {
            delete connection;
        }
    }
}

bool RedisClient::command(std::vector<QByteArray> args, RedisReplyHandler done)
{
    return send(std::move(args), {}, std::move(done));
}

bool RedisClient::script(const RedisScript &script, std::vector<QByteArray> keysAndArgs, int keyCount, RedisReplyHandler done)
{
    std::vector<QByteArray> args { "EVALSHA", script.sha, QByteArray::number(keyCount) };
    args.insert(args.end(), std::make_move_iterator(keysAndArgs.begin()), std::make_move_iterator(keysAndArgs.end()));
    return send(std::move(args), script.source, std::move(done));
}

bool RedisClient::send(std::vector<QByteArray> args, QByteArray scriptSource, RedisReplyHandler done)
{
    if (!m_endpoint->mayTry(steadyNowNs())) {
        return false;
    }
    RedisConnection *connection = nullptr;
    {
        const std::lock_guard lock(m_mutex);
        RedisConnection *&slot = m_connections[QThread::currentThread()];
        if (!slot) {
            slot = new RedisConnection(m_endpoint);
        }
        connection = slot;
    }
    return connection->send(std::move(args), std::move(scriptSource), std::move(done));
}

std::optional<RedisValue> RedisClient::commandBlocking(const std::vector<QByteArray> &args, QString *error) const
{
    if (!m_endpoint->valid()) {
        *error = m_endpoint->lastError();
        return std::nullopt;
    }
    const qint64 timeoutUs = m_endpoint->timeoutNs() / 1000;
    const timeval timeout { time_t(timeoutUs / 1'000'000), suseconds_t(timeoutUs % 1'000'000) };
    const SigpipeBlock sigpipeBlock;
    const std::unique_ptr<redisContext, decltype(&redisFree)> context(
        redisConnectWithTimeout(m_endpoint->host().constData(), m_endpoint->port(), timeout), &redisFree);
    if (!context || context->err) {
        *error = context ? QString::fromUtf8(context->errstr) : QStringLiteral("out of memory");
        m_endpoint->markFailure(*error);
        return std::nullopt;
    }
    redisSetTimeout(context.get(), timeout);
    const auto run = [&context, error](const std::vector<QByteArray> &command) -> std::optional<RedisValue> {
        std::vector<const char *> argv;
        std::vector<size_t> argvLen;
        for (const QByteArray &arg : command) {
            argv.push_back(arg.constData());
            argvLen.push_back(size_t(arg.size()));
        }
        const std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(
            static_cast<redisReply *>(redisCommandArgv(context.get(), int(argv.size()), argv.data(), argvLen.data())), &freeReplyObject);
        if (!reply || reply->type == REDIS_REPLY_ERROR) {
            *error = reply ? QString::fromUtf8(reply->str, qsizetype(reply->len)) : QString::fromUtf8(context->errstr);
            return std::nullopt;
        }
        return toRedisValue(*reply);
    };
    std::optional<RedisValue> value;
    if (m_endpoint->db() == 0 || run({ "SELECT", QByteArray::number(m_endpoint->db()) })) {
        value = run(args);
    }
    // The outage shows in the client's state (and log) as one on the request path would.
    if (value) {
        m_endpoint->markSuccess();
    } else {
        m_endpoint->markFailure(*error);
    }
    return value;
}

} // namespace gatehouse::engine
