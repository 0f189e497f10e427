#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <vector>


#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QThread>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "engine/ratelimit/RedisRateLimitStore.h"
#include "tests/support/RedisServer.h"

using gatehouse::engine::Gcra;
using gatehouse::engine::RateLimit;
using gatehouse::engine::RateLimitDecision;
using gatehouse::engine::RedisRateLimitStore;
using Outcome = gatehouse::engine::RateLimitDecision::Outcome;
using gatehouse::test::RedisServer;
using namespace std::chrono_literals;

namespace {

constexpr int kTimeoutMs = 200;
// Scheduling noise on a loaded machine; the bounds below are the timeout plus this.
constexpr int kSlackMs = 150;

quint16 freeLoopbackPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return server.serverPort();
}

// The key the store writes for (id, key), as docs/rate-limiting.md describes it.
QByteArray redisKey(const QByteArray &id, const QByteArray &key)
{
    return "gatehouse:rl:" + id + '\0' + key;
}

// Redis commands over a plain socket, so what the store wrote is read back by another client.
// Each reply comes back as its first line ("+PONG", ":1", "-ERR ...") or a bulk string's bytes.
class RawRedis
{
public:
    explicit RawRedis(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.waitForConnected(1'000);
    }
    QByteArray command(const QList<QByteArray> &args)
    {
        QByteArray request = '*' + QByteArray::number(args.size()) + "\r\n";
        for (const QByteArray &arg : args) {
            request += '$' + QByteArray::number(arg.size()) + "\r\n" + arg + "\r\n";
        }
        m_socket.write(request);
        QByteArray buffer;
        const QDeadlineTimer deadline(2'000);
        while (!deadline.hasExpired()) {
            const qsizetype eol = buffer.indexOf("\r\n");
            if (eol >= 0 && !buffer.startsWith('$')) {
                return buffer.left(eol);
            }
            if (eol >= 0) {
                const qsizetype length = buffer.mid(1, eol - 1).toLongLong();
                if (length < 0) {
                    return "(nil)";
                }
                if (buffer.size() >= eol + 2 + length + 2) {
                    return buffer.mid(eol + 2, length);
                }
            }
            if (!m_socket.waitForReadyRead(int(std::max<qint64>(deadline.remainingTime(), 1)))) {
                break;
            }
            buffer += m_socket.readAll();
        }
        return {};
    }

private:
    QTcpSocket m_socket;
};

// One check, waiting on this thread's event loop for the store's answer (always within its
// timeout).
RateLimitDecision checkNow(RedisRateLimitStore &store, const RateLimit &limit, QByteArrayView key)
{
    auto answer = std::make_shared<std::optional<RateLimitDecision>>();
    *answer = store.check(limit, key, 0, [answer](const RateLimitDecision &decision) { *answer = decision; });
    const QDeadlineTimer deadline(5'000);
    while (!*answer && !deadline.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return answer->value_or(RateLimitDecision {});
}

// The first answer that is not Unavailable, asking every 20 ms for up to `timeoutMs`. (Not
// QTRY_*: it evaluates its expression again after success, and every check counts.)
RateLimitDecision firstAnswer(RedisRateLimitStore &store, const RateLimit &limit, QByteArrayView key, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    RateLimitDecision decision = checkNow(store, limit, key);
    while (decision.outcome == Outcome::Unavailable && !deadline.hasExpired()) {
        QTest::qWait(20);
        decision = checkNow(store, limit, key);
    }
    return decision;
}

} // namespace

class TestRedisRateLimitStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty(),
                 "redis-server is not installed; run installer/install-deps.sh");
        QVERIFY(m_redis.start(freeLoopbackPort()));
    }

    void exactBoundary()
    {
        RedisRateLimitStore store(m_redis.url());
        const RateLimit limit { "boundary/5ps", Gcra(5, 1s, 0) };
        for (int i = 1; i <= 5; ++i) {
            const RateLimitDecision decision = checkNow(store, limit, "alice");
            QCOMPARE(decision.outcome, Outcome::Allowed);
            QCOMPARE(decision.limit, 5);
            QCOMPARE(decision.remaining, 5 - i);
            QCOMPARE(decision.resetSeconds, i < 5 ? 0 : 1);
        }
        const RateLimitDecision sixth = checkNow(store, limit, "alice");
        QCOMPARE(sixth.outcome, Outcome::Limited);
        QCOMPARE(sixth.remaining, 0);
        QCOMPARE(sixth.resetSeconds, 1);
        QCOMPARE(checkNow(store, limit, "bob").remaining, 4);

        // The key expires when the bucket is full again: 1 s after now, at most.
        RawRedis raw(m_redis.port());
        const qint64 pttl = raw.command({ "PTTL", redisKey(limit.id, "alice") }).mid(1).toLongLong();
        QVERIFY2(pttl > 0 && pttl <= 1'001, QByteArray::number(pttl));
    }

    void keysVanishWhenFull()
    {
        RedisRateLimitStore store(m_redis.url());
        const RateLimit limit { "vanish/20ps", Gcra(20, 1s, 0) }; // full again 50 ms after a request
        QVERIFY(checkNow(store, limit, "carol").allowed());
        RawRedis raw(m_redis.port());
        QCOMPARE(raw.command({ "EXISTS", redisKey(limit.id, "carol") }), ":1");
        QTRY_COMPARE_WITH_TIMEOUT(raw.command({ "EXISTS", redisKey(limit.id, "carol") }), QByteArray(":0"), 2'000);
    }

    // Two gateways (two stores, two connections) on one key share one bucket.
    void twoGatewaysShareOneKey()
    {
        RedisRateLimitStore first(m_redis.url());
        RedisRateLimitStore second(m_redis.url());
        const RateLimit limit { "shared/10per10s", Gcra(10, 10s, 0) };
        int admitted = 0;
        for (int i = 0; i < 20; ++i) {
            const RateLimitDecision decision = checkNow(i % 2 ? second : first, limit, "dave");
            QVERIFY(decision.outcome != Outcome::Unavailable);
            if (decision.allowed()) {
                ++admitted;
                QCOMPARE(decision.remaining, 10 - admitted);
            }
        }
        QCOMPARE(admitted, 10);
    }

    // The same from two threads at full speed: never more than the capacity plus one request
    // per interval over the time the checks took.
    void twoGatewaysConcurrently()
    {
        const RateLimit limit { "shared/100ps", Gcra(100, 1s, 0) };
        std::atomic<int> admitted { 0 };
        std::atomic<int> unavailable { 0 };
        QElapsedTimer elapsed;
        elapsed.start();
        // Threads with event loops, as workers have: the store answers on the asking thread's loop.
        std::vector<std::unique_ptr<QThread>> gateways;
        for (int i = 0; i < 2; ++i) {
            gateways.emplace_back(QThread::create([&] {
                RedisRateLimitStore store(m_redis.url());
                while (elapsed.elapsed() < 300) {
                    const RateLimitDecision decision = checkNow(store, limit, "erin");
                    admitted += decision.allowed() ? 1 : 0;
                    unavailable += decision.outcome == Outcome::Unavailable ? 1 : 0;
                }
            }));
            gateways.back()->start();
        }
        for (const std::unique_ptr<QThread> &gateway : gateways) {
            gateway->wait();
        }
        // +1: Redis's clock and ours measure slightly different spans.
        const qint64 bound = limit.gcra.limit() + elapsed.nsecsElapsed() / limit.gcra.intervalNs() + 1;
        qInfo("%d admitted, bound %lld", int(admitted), bound);
        QCOMPARE(int(unavailable), 0);
        QVERIFY(admitted >= limit.gcra.limit());
        QVERIFY(admitted <= bound);
    }

    // A Redis restarted or flushed no longer knows the script: EVALSHA's NOSCRIPT falls back to EVAL.
    void scriptFlushFallsBackToEval()
    {
        RedisRateLimitStore store(m_redis.url());
        const RateLimit limit { "flush/3per10s", Gcra(3, 10s, 0) };
        QCOMPARE(checkNow(store, limit, "frank").remaining, 2);
        RawRedis raw(m_redis.port());
        QCOMPARE(raw.command({ "SCRIPT", "FLUSH" }), "+OK");
        QCOMPARE(checkNow(store, limit, "frank").remaining, 1);
        QCOMPARE(checkNow(store, limit, "frank").remaining, 0);
        QCOMPARE(checkNow(store, limit, "frank").outcome, Outcome::Limited);
    }

    void selectsTheDatabase()
    {
        RedisRateLimitStore store(m_redis.url(QStringLiteral("3")));
        const RateLimit limit { "db/1ps", Gcra(1, 1s, 0) };
        QVERIFY(checkNow(store, limit, "grace").allowed());
        RawRedis raw(m_redis.port());
        QCOMPARE(raw.command({ "EXISTS", redisKey(limit.id, "grace") }), ":0");
        QCOMPARE(raw.command({ "SELECT", "3" }), "+OK");
        QCOMPARE(raw.command({ "EXISTS", redisKey(limit.id, "grace") }), ":1");
    }

    void unavailableWhenNothingListens()
    {
        RedisRateLimitStore store(QStringLiteral("redis://127.0.0.1:%1").arg(freeLoopbackPort()),
                                  std::chrono::milliseconds(kTimeoutMs));
        const RateLimit limit { "nobody/5ps", Gcra(5, 1s, 0) };
        QElapsedTimer elapsed;
        elapsed.start();
        const RateLimitDecision decision = checkNow(store, limit, "heidi");
        QCOMPARE(decision.outcome, Outcome::Unavailable);
        QCOMPARE(decision.limit, 5);
        QVERIFY(!decision.allowed());
        QVERIFY(elapsed.elapsed() <= kTimeoutMs + kSlackMs);
    }

    void unavailableForAnInvalidUrl()
    {
        RedisRateLimitStore store(QStringLiteral("memcached://127.0.0.1:11211"));
        QCOMPARE(checkNow(store, { "invalid", Gcra(5, 1s, 0) }, "ivan").outcome, Outcome::Unavailable);
    }

    // Redis killed: unavailable at once; restarted on the same port: counting again within the
    // longest backoff (2 s), against the fresh server.
    void unavailableWhileStoppedThenBack()
    {
        RedisServer redis;
        QVERIFY(redis.start(freeLoopbackPort()));
        RedisRateLimitStore store(redis.url(), std::chrono::milliseconds(kTimeoutMs));
        const RateLimit limit { "restart/5per10s", Gcra(5, 10s, 0) };
        QCOMPARE(checkNow(store, limit, "judy").remaining, 4);

        redis.stop();
        QElapsedTimer elapsed;
        elapsed.start();
        QCOMPARE(checkNow(store, limit, "judy").outcome, Outcome::Unavailable);
        QVERIFY(elapsed.elapsed() <= kTimeoutMs + kSlackMs);
        QCOMPARE(checkNow(store, limit, "judy").outcome, Outcome::Unavailable);

        QVERIFY(redis.start(redis.port()));
        const RateLimitDecision back = firstAnswer(store, limit, "judy", 5'000);
        QCOMPARE(back.outcome, Outcome::Allowed);
        QCOMPARE(back.remaining, 4); // the fresh server starts with a full bucket
    }

    // A restart between two checks closes the idle connection: the next check notices before
    // its script was sent and uses a new connection, instead of answering Unavailable.
    void restartBetweenChecksIsTransparent()
    {
        RedisServer redis;
        QVERIFY(redis.start(freeLoopbackPort()));
        RedisRateLimitStore store(redis.url(), std::chrono::milliseconds(kTimeoutMs));
        const RateLimit limit { "restart/5per10s", Gcra(5, 10s, 0) };
        QCOMPARE(checkNow(store, limit, "kim").remaining, 4);
        redis.stop();
        QVERIFY(redis.start(redis.port()));
        const RateLimitDecision decision = checkNow(store, limit, "kim");
        QCOMPARE(decision.outcome, Outcome::Allowed);
        QCOMPARE(decision.remaining, 4); // a fresh server, and the script sent again (NOSCRIPT)
    }

    // Redis hung (SIGSTOP: connections are accepted but nothing answers): a check answers
    // Unavailable after the timeout, connect and command together, and during the backoff checks
    // answer at once.
    void unavailableWithinTheTimeoutWhenHung()
    {
        RedisServer redis;
        QVERIFY(redis.start(freeLoopbackPort()));
        const RateLimit limit { "hung/5per10s", Gcra(5, 10s, 0) };
        RedisRateLimitStore pooled(redis.url(), std::chrono::milliseconds(kTimeoutMs));
        QVERIFY(checkNow(pooled, limit, "mallory").allowed());

        redis.pause();
        QElapsedTimer elapsed;
        elapsed.start();
        QCOMPARE(checkNow(pooled, limit, "mallory").outcome, Outcome::Unavailable);
        const qint64 onPooledConnection = elapsed.restart();
        QCOMPARE(checkNow(pooled, limit, "mallory").outcome, Outcome::Unavailable);
        const qint64 duringBackoff = elapsed.restart();
        RedisRateLimitStore fresh(redis.url(), std::chrono::milliseconds(kTimeoutMs));
        QCOMPARE(checkNow(fresh, limit, "mallory").outcome, Outcome::Unavailable);
        const qint64 onNewConnection = elapsed.elapsed();
        qInfo("pooled %lld ms, during backoff %lld ms, new connection %lld ms", onPooledConnection, duringBackoff,
              onNewConnection);
        QVERIFY(onPooledConnection >= kTimeoutMs - 20 && onPooledConnection <= kTimeoutMs + kSlackMs);
        QVERIFY(duringBackoff < 50);
        QVERIFY(onNewConnection >= kTimeoutMs - 20 && onNewConnection <= kTimeoutMs + kSlackMs);

        // The commands that timed out still run once Redis wakes up, and count: a timed-out
        // check errs on the side of the limit. One admitted and two late ones leave two.
        redis.resume();
        const RateLimitDecision back = firstAnswer(pooled, limit, "mallory", 5'000);
        QCOMPARE(back.outcome, Outcome::Allowed);
        QCOMPARE(back.remaining, 1);
        QCOMPARE(firstAnswer(fresh, limit, "mallory", 5'000).remaining, 0);
    }

    void cleanupTestCase() { m_redis.stop(); }

private:
    RedisServer m_redis;
};

QTEST_GUILESS_MAIN(TestRedisRateLimitStore)
#include "TestRedisRateLimitStore.moc"
