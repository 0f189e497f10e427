#include "RedisClient.h"

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <hiredis/hiredis.h>
#include <pthread.h>

#include <QCryptographicHash>

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/profile/Values.h"

namespace gatehouse::engine {

namespace {

constexpr qint64 kMinBackoffNs = 100'000'000;
constexpr qint64 kMaxBackoffNs = 2'000'000'000;

// What is left until the deadline, as a socket timeout. Never zero: SO_RCVTIMEO 0 waits forever.
timeval timeoutUntil(qint64 deadlineNs)
{
    const qint64 leftUs = std::max<qint64>((deadlineNs - steadyNowNs()) / 1000, 1000);
    return { time_t(leftUs / 1'000'000), suseconds_t(leftUs % 1'000'000) };
}

using ReplyPtr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

// hiredis writes with write(), so a connection Redis closed would raise SIGPIPE and end the
// process. The signal is blocked on this thread while hiredis runs and a pending one consumed.
class SigpipeBlock final
{
public:
    SigpipeBlock()
    {
        sigemptyset(&m_pipe);
        sigaddset(&m_pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &m_pipe, &m_previous);
        sigset_t pending;
        sigpending(&pending);
        m_wasPending = sigismember(&pending, SIGPIPE) == 1;
    }
    ~SigpipeBlock()
    {
        sigset_t pending;
        sigpending(&pending);
        if (!m_wasPending && sigismember(&pending, SIGPIPE) == 1) {
            const timespec zero {};
            sigtimedwait(&m_pipe, nullptr, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    SigpipeBlock(const SigpipeBlock &) = delete;
    SigpipeBlock &operator=(const SigpipeBlock &) = delete;

private:
    sigset_t m_pipe;
    sigset_t m_previous;
    bool m_wasPending = false;
};

RedisValue toValue(const redisReply &reply)
{
    RedisValue value;
    switch (reply.type) {
    case REDIS_REPLY_INTEGER:
        value.type = RedisValue::Type::Integer;
        value.integer = reply.integer;
        break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        value.type = reply.type == REDIS_REPLY_STRING ? RedisValue::Type::String : RedisValue::Type::Status;
        value.text = QByteArray(reply.str, qsizetype(reply.len));
        break;
    case REDIS_REPLY_ARRAY:
        value.type = RedisValue::Type::Array;
        for (size_t i = 0; i < reply.elements; ++i) {
            value.elements.append(toValue(*reply.element[i]));
        }
        break;
    default:
        break; // nil
    }
    return value;
}

} // namespace

RedisScript::RedisScript(QByteArray text)
    : source(std::move(text))
    , sha(QCryptographicHash::hash(source, QCryptographicHash::Sha1).toHex())
{
}

struct RedisClient::Connection
{
    explicit Connection(redisContext *c)
        : context(c, &redisFree)
    {
    }
    // One command within the deadline. Null when the connection failed; it is then unusable.
    ReplyPtr command(const std::vector<QByteArrayView> &args, qint64 deadlineNs)
    {
        redisSetTimeout(context.get(), timeoutUntil(deadlineNs));
        std::vector<const char *> argv;
        std::vector<size_t> argvLen;
        for (const QByteArrayView arg : args) {
            argv.push_back(arg.data());
            argvLen.push_back(size_t(arg.size()));
        }
        ReplyPtr reply(static_cast<redisReply *>(redisCommandArgv(context.get(), int(argv.size()), argv.data(), argvLen.data())),
                       &freeReplyObject);
        failureErrno = reply ? 0 : errno;
        return reply;
    }
    ReplyPtr script(const RedisScript &script, const std::vector<QByteArrayView> &keysAndArgs, int keyCount, qint64 deadlineNs)
    {
        const QByteArray count = QByteArray::number(keyCount);
        std::vector<QByteArrayView> args { "EVALSHA", script.sha, count };
        args.insert(args.end(), keysAndArgs.begin(), keysAndArgs.end());
        ReplyPtr reply = command(args, deadlineNs);
        if (reply && reply->type == REDIS_REPLY_ERROR && QByteArrayView(reply->str, qsizetype(reply->len)).startsWith("NOSCRIPT")) {
            args[0] = "EVAL";
            args[1] = script.source;
            reply = command(args, deadlineNs);
        }
        return reply;
    }
    bool broken() const { return context->err != 0; }
    // Redis had closed it before the command: the command never ran.
    bool closedByPeer() const
    {
        return context->err == REDIS_ERR_EOF
            || (context->err == REDIS_ERR_IO && (failureErrno == ECONNRESET || failureErrno == EPIPE));
    }
    QString errorText() const { return QString::fromUtf8(context->errstr); }

    std::unique_ptr<redisContext, decltype(&redisFree)> context;
    int failureErrno = 0;
};

RedisClient::RedisClient(const QString &url, QString purpose, std::chrono::milliseconds timeout)
    : m_url(url)
    , m_purpose(std::move(purpose))
    , m_timeoutNs(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count())
{
    QString error;
    if (!profile::isValidRateLimitStore(url, &error) || !url.startsWith(u"redis://")) {
        qCWarning(lcRedis).noquote() << m_purpose << url << "is not a Redis URL:" << error;
        return;
    }
    QStringView rest = QStringView(url).mid(8);
    const qsizetype slash = rest.indexOf(u'/');
    if (slash >= 0) {
        m_db = rest.mid(slash + 1).toInt();
        rest = rest.left(slash);
    }
    const std::optional<profile::HostPort> hostPort = profile::parseHostPort(rest);
    m_host = hostPort->host.toUtf8();
    m_port = hostPort->port;
    m_valid = true;
}

RedisClient::~RedisClient() = default;

std::optional<RedisValue> RedisClient::command(const std::vector<QByteArrayView> &args)
{
    return run([&args](Connection &connection, qint64 deadlineNs) { return connection.command(args, deadlineNs); });
}

std::optional<RedisValue> RedisClient::script(const RedisScript &script, const std::vector<QByteArrayView> &keysAndArgs,
                                              int keyCount)
{
    return run([&](Connection &connection, qint64 deadlineNs) {
        return connection.script(script, keysAndArgs, keyCount, deadlineNs);
    });
}

template<typename Call>
std::optional<RedisValue> RedisClient::run(const Call &call)
{
    const qint64 startNs = steadyNowNs();
    if (!m_valid || !mayTry(startNs)) {
        return std::nullopt;
    }
    const qint64 deadlineNs = startNs + m_timeoutNs;
    const SigpipeBlock sigpipeBlock;
    ReplyPtr reply(nullptr, &freeReplyObject);
    std::unique_ptr<Connection> connection = takeIdle();
    if (connection) {
        reply = call(*connection, deadlineNs);
        // An idle connection Redis closed meanwhile (a restart, its client timeout): try a new
        // one, rather than give up and back off while Redis is fine.
        if (!reply && connection->closedByPeer()) {
            connection.reset();
        }
    }
    QString error;
    if (!connection) {
        connection = connect(deadlineNs, &error);
        if (!connection) {
            markFailure(error);
            return std::nullopt;
        }
        reply = call(*connection, deadlineNs);
    }
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        error = reply ? QString::fromUtf8(reply->str, qsizetype(reply->len)) : connection->errorText();
        giveBack(std::move(connection));
        markFailure(error);
        return std::nullopt;
    }
    RedisValue value = toValue(*reply);
    giveBack(std::move(connection));
    markSuccess();
    return value;
}

// While Redis answers this is one atomic load. After a failure, calls before the retry time
// return at once; the first one after it moves the retry time past its own deadline and is the
// only one to try.
bool RedisClient::mayTry(qint64 nowNs)
{
    qint64 retryAtNs = m_retryAtNs.load(std::memory_order_acquire);
    if (retryAtNs == 0) {
        return true;
    }
    return nowNs >= retryAtNs && m_retryAtNs.compare_exchange_strong(retryAtNs, nowNs + m_timeoutNs);
}

std::unique_ptr<RedisClient::Connection> RedisClient::takeIdle()
{
    const std::lock_guard lock(m_poolMutex);
    if (m_idle.empty()) {
        return nullptr;
    }
    std::unique_ptr<Connection> connection = std::move(m_idle.back());
    m_idle.pop_back();
    return connection;
}

std::unique_ptr<RedisClient::Connection> RedisClient::connect(qint64 deadlineNs, QString *error)
{
    redisContext *context = redisConnectWithTimeout(m_host.constData(), m_port, timeoutUntil(deadlineNs));
    if (!context) {
        *error = QStringLiteral("out of memory");
        return nullptr;
    }
    auto connection = std::make_unique<Connection>(context);
    if (connection->broken()) {
        *error = connection->errorText();
        return nullptr;
    }
    if (m_db != 0) {
        const QByteArray db = QByteArray::number(m_db);
        const ReplyPtr reply = connection->command({ "SELECT", db }, deadlineNs);
        if (!reply || reply->type == REDIS_REPLY_ERROR) {
            *error = reply ? QString::fromUtf8(reply->str, qsizetype(reply->len)) : connection->errorText();
            return nullptr;
        }
    }
    return connection;
}

void RedisClient::giveBack(std::unique_ptr<Connection> connection)
{
    // A connection that failed or timed out may still get the late reply: never reuse it.
    if (connection->broken()) {
        return;
    }
    const std::lock_guard lock(m_poolMutex);
    m_idle.push_back(std::move(connection));
}

QString RedisClient::lastError() const
{
    if (!m_valid) {
        return QStringLiteral("not a Redis URL");
    }
    const std::lock_guard lock(m_backoffMutex);
    return m_lastError;
}

void RedisClient::markFailure(const QString &error)
{
    const std::lock_guard lock(m_backoffMutex);
    m_lastError = error;
    const bool wasUp = m_backoffNs == 0;
    m_backoffNs = wasUp ? kMinBackoffNs : std::min(m_backoffNs * 2, kMaxBackoffNs);
    m_retryAtNs.store(steadyNowNs() + m_backoffNs, std::memory_order_release);
    if (wasUp) {
        qCWarning(lcRedis).noquote() << m_purpose << m_url << "unavailable:" << error << "- until it is back, calls give up at once";
    }
}

void RedisClient::markSuccess()
{
    if (m_retryAtNs.load(std::memory_order_acquire) == 0) {
        return;
    }
    const std::lock_guard lock(m_backoffMutex);
    if (m_backoffNs != 0) {
        qCInfo(lcRedis).noquote() << m_purpose << m_url << "is back";
    }
    m_backoffNs = 0;
    m_retryAtNs.store(0, std::memory_order_release);
}

} // namespace gatehouse::engine
