#include "RedisRateLimitStore.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <optional>

#include <hiredis/hiredis.h>
#include <pthread.h>

#include <QCryptographicHash>

#include "engine/core/Logging.h"
#include "engine/profile/Values.h"
#include "engine/upstream/SteadyClock.h"

namespace gatehouse::engine {

namespace {

constexpr qint64 kMinBackoffNs = 100'000'000;
constexpr qint64 kMaxBackoffNs = 2'000'000'000;
constexpr QByteArrayView kKeyPrefix = "gatehouse:rl:";

// KEYS[1]: the bucket. ARGV[1]: the emission interval T, ARGV[2]: the tolerance, integer ns
// below 2^52 (see Gcra), so every sum and product here is exact in Lua's doubles. The TAT is
// kept as seconds + nanoseconds because nanoseconds since the epoch need 61 bits. Returns
// {admitted 0/1, backlog}: how far the stored TAT ran ahead of now, which Gcra::check turns
// into the same decision and the header values.
constexpr char kScript[] = R"lua(
local time = redis.call('TIME')
local nowS = tonumber(time[1])
local nowNs = tonumber(time[2]) * 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = redis.call('HMGET', KEYS[1], 's', 'ns')
local backlog = 0
if tat[1] and tat[2] then
    backlog = (tonumber(tat[1]) - nowS) * 1000000000 + tonumber(tat[2]) - nowNs
    if backlog < 0 then backlog = 0 end
end
local used = backlog + interval
if used > tolerance then
    return {0, backlog}
end
local ns = nowNs + used
local carry = math.floor(ns / 1000000000)
local rest = ns - carry * 1000000000
if rest < 0 then
    carry = carry - 1
    rest = rest + 1000000000
elseif rest >= 1000000000 then
    carry = carry + 1
    rest = rest - 1000000000
end
redis.call('HSET', KEYS[1], 's', string.format('%d', nowS + carry), 'ns', string.format('%d', rest))
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.floor(used / 1000000) + 1))
return {1, backlog}
)lua";

const QByteArray &scriptSha()
{
    static const QByteArray sha = QCryptographicHash::hash(QByteArrayView(kScript), QCryptographicHash::Sha1).toHex();
    return sha;
}

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

} // namespace

struct RedisRateLimitStore::Connection
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
        ReplyPtr reply(static_cast<redisReply *>(
                           redisCommandArgv(context.get(), int(argv.size()), argv.data(), argvLen.data())),
                       &freeReplyObject);
        failureErrno = reply ? 0 : errno;
        return reply;
    }
    // The script, loaded by its SHA1 when Redis has it (NOSCRIPT: restarted or flushed since).
    ReplyPtr evaluate(QByteArrayView key, const Gcra &gcra, qint64 deadlineNs)
    {
        const QByteArray interval = QByteArray::number(gcra.intervalNs());
        const QByteArray tolerance = QByteArray::number(gcra.toleranceNs());
        ReplyPtr reply = command({ "EVALSHA", scriptSha(), "1", key, interval, tolerance }, deadlineNs);
        if (reply && reply->type == REDIS_REPLY_ERROR
            && QByteArrayView(reply->str, qsizetype(reply->len)).startsWith("NOSCRIPT")) {
            reply = command({ "EVAL", kScript, "1", key, interval, tolerance }, deadlineNs);
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

RedisRateLimitStore::RedisRateLimitStore(const QString &url, std::chrono::milliseconds timeout)
    : m_url(url)
    , m_timeoutNs(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count())
{
    QString error;
    if (!profile::isValidRateLimitStore(url, &error) || !url.startsWith(u"redis://")) {
        qCWarning(lcRateLimit).noquote() << "rate-limit store" << url << "is not a Redis URL:" << error;
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

RedisRateLimitStore::~RedisRateLimitStore() = default;

RateLimitDecision RedisRateLimitStore::check(const RateLimit &limit, QByteArrayView key, qint64)
{
    Q_ASSERT(!limit.id.contains('\0'));
    RateLimitDecision unavailable;
    unavailable.outcome = RateLimitDecision::Outcome::Unavailable;
    unavailable.limit = limit.gcra.limit();
    const qint64 startNs = steadyNowNs();
    if (!m_valid || !mayTry(startNs)) {
        return unavailable;
    }
    const qint64 deadlineNs = startNs + m_timeoutNs;
    const SigpipeBlock sigpipeBlock;
    QByteArray redisKey;
    redisKey.reserve(kKeyPrefix.size() + limit.id.size() + 1 + key.size());
    redisKey.append(kKeyPrefix).append(limit.id).append('\0').append(key);

    ReplyPtr reply(nullptr, &freeReplyObject);
    std::unique_ptr<Connection> connection = takeIdle();
    if (connection) {
        reply = connection->evaluate(redisKey, limit.gcra, deadlineNs);
        // An idle connection Redis closed meanwhile (a restart, its client timeout): try a new one,
        // rather than answer Unavailable and back off while Redis is fine.
        if (!reply && connection->closedByPeer()) {
            connection.reset();
        }
    }
    QString error;
    if (!connection) {
        connection = connect(deadlineNs, &error);
        if (!connection) {
            markFailure(error);
            return unavailable;
        }
        reply = connection->evaluate(redisKey, limit.gcra, deadlineNs);
    }

    const bool wellFormed = reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
        && reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[1]->type == REDIS_REPLY_INTEGER;
    if (!wellFormed) {
        if (!reply) {
            error = connection->errorText();
        } else if (reply->type == REDIS_REPLY_ERROR) {
            error = QString::fromUtf8(reply->str, qsizetype(reply->len));
        } else {
            error = QStringLiteral("unexpected reply to the rate-limit script");
        }
        giveBack(std::move(connection));
        markFailure(error);
        return unavailable;
    }
    giveBack(std::move(connection));
    markSuccess();
    // The script applied the same arithmetic; replaying it on the backlog gives the headers.
    const RateLimitDecision decision = limit.gcra.check(reply->element[1]->integer, 0).decision;
    Q_ASSERT(decision.allowed() == (reply->element[0]->integer == 1));
    return decision;
}

// While Redis answers this is one atomic load. After a failure, checks before the retry time
// answer at once; the first one after it moves the retry time past its own deadline and is the
// only one to try, so an outage costs one timeout per backoff period, not one per request.
bool RedisRateLimitStore::mayTry(qint64 nowNs)
{
    qint64 retryAtNs = m_retryAtNs.load(std::memory_order_acquire);
    if (retryAtNs == 0) {
        return true;
    }
    return nowNs >= retryAtNs && m_retryAtNs.compare_exchange_strong(retryAtNs, nowNs + m_timeoutNs);
}

std::unique_ptr<RedisRateLimitStore::Connection> RedisRateLimitStore::takeIdle()
{
    const std::lock_guard lock(m_poolMutex);
    if (m_idle.empty()) {
        return nullptr;
    }
    std::unique_ptr<Connection> connection = std::move(m_idle.back());
    m_idle.pop_back();
    return connection;
}

std::unique_ptr<RedisRateLimitStore::Connection> RedisRateLimitStore::connect(qint64 deadlineNs, QString *error)
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

void RedisRateLimitStore::giveBack(std::unique_ptr<Connection> connection)
{
    // A connection that failed or timed out may still get the late reply: never reuse it.
    if (connection->broken()) {
        return;
    }
    const std::lock_guard lock(m_poolMutex);
    m_idle.push_back(std::move(connection));
}

void RedisRateLimitStore::markFailure(const QString &error)
{
    const std::lock_guard lock(m_backoffMutex);
    const bool wasUp = m_backoffNs == 0;
    m_backoffNs = wasUp ? kMinBackoffNs : std::min(m_backoffNs * 2, kMaxBackoffNs);
    m_retryAtNs.store(steadyNowNs() + m_backoffNs, std::memory_order_release);
    if (wasUp) {
        qCWarning(lcRateLimit).noquote() << "rate-limit store" << m_url << "unavailable:" << error
                                         << "- checks answer 'unavailable' until it is back";
    }
}

void RedisRateLimitStore::markSuccess()
{
    if (m_retryAtNs.load(std::memory_order_acquire) == 0) {
        return;
    }
    const std::lock_guard lock(m_backoffMutex);
    if (m_backoffNs != 0) {
        qCInfo(lcRateLimit).noquote() << "rate-limit store" << m_url << "is back";
    }
    m_backoffNs = 0;
    m_retryAtNs.store(0, std::memory_order_release);
}

} // namespace gatehouse::engine
