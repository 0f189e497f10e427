// Rate limits end to end through `gatehouse serve` (SPEC §3, §6): exact counts at the boundary
// with the RateLimit-* headers, buckets per key, several limits on one route, no over-admission
// with both workers hammering one key, and the Redis store shared by two gateway processes,
// failing open or closed when Redis is unreachable, and never blocking the worker while Redis is
// stalled; limits that need no token run before JWT verification (invalid tokens are throttled
// too), consumer limits after it.

#include <atomic>

#include <QElapsedTimer>
#include <QHostAddress>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/RedisServer.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

class TestRateLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void exactBoundary();
    void bucketsPerKey();
    void tightestLimitGivesTheHeaders();
    void limitsAroundJwtVerification();
    void twoWorkersNeverOverAdmit();
    void redisSharedByTwoGateways();
    void redisUnreachableFailsOpenOrClosed();
    void stalledRedisBlocksNoOtherRoute();

private:
    QByteArray profileWith(const QByteArray &limitsAndRoutes) const;

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
    std::unique_ptr<GatehouseProcess> m_gateway;
    QString m_logPath;
};

// moc reads the class body: the profile text, with its "//", stays out of it.
QByteArray TestRateLimits::profileWith(const QByteArray &limitsAndRoutes) const
{
    QByteArray profile = R"(gatehouse: 1
name: limits
listen: [{ bind: 127.0.0.1:0 }]
upstreams:
  - name: echo
    targets: [{ url: "http://127.0.0.1:@A@" }]
)";
    profile.replace("@A@", portOf(m_echo));
    return profile + limitsAndRoutes;
}

void TestRateLimits::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_echo.startEcho(QStringLiteral("echo")), m_echo.stderrText().constData());
    writeFile(m_dir, QStringLiteral("hs.secret"), "rate-limit-test-hmac-secret-0123456789");
    m_gateway = startGatewayWithLog(m_dir, QStringLiteral("limits"), profileWith(R"(routes:
  - { name: five, match: { path: /five }, upstream: echo, rate_limit: [five-per-second] }
  - { name: by-ip, match: { path: /by-ip }, upstream: echo, rate_limit: [two-per-ip] }
  - { name: by-key, match: { path: /by-key }, upstream: echo, rate_limit: [two-per-key] }
  - { name: both, match: { path: /both }, upstream: echo, rate_limit: [ten-per-ip, three-per-route] }
  - { name: hammer, match: { path: /hammer }, upstream: echo, rate_limit: [fifty-per-ten-seconds] }
  - { name: guarded, match: { path: /guarded }, upstream: echo, auth: hs, rate_limit: [two-per-ip] }
  - { name: per-user, match: { path: /per-user }, upstream: echo, auth: hs, rate_limit: [ten-per-ip, one-per-user] }
jwt:
  - { name: hs, algorithms: [HS256], secret: file:hs.secret }
rate_limits:
  - { name: one-per-user, requests: 1, per: 1m, key: consumer }
  - { name: five-per-second, requests: 5, per: 1s, key: route }
  - { name: two-per-ip, requests: 2, per: 1m, key: ip }
  - { name: two-per-key, requests: 2, per: 1m, key: "header:X-Api-Key" }
  - { name: ten-per-ip, requests: 10, per: 1m, key: ip }
  - { name: three-per-route, requests: 3, per: 1m, key: route }
  - { name: fifty-per-ten-seconds, requests: 40, burst: 10, per: 10s, key: route }
)"),
                                    &m_logPath);
    QVERIFY(m_gateway);
}

void TestRateLimits::cleanupTestCase()
{
    m_gateway.reset();
    m_echo.terminate();
}

void TestRateLimits::exactBoundary()
{
    RawConnection connection;
    QVERIFY(connection.open(m_gateway->port()));
    for (int i = 1; i <= 5; ++i) {
        const auto response = connection.roundTrip("GET", "/five");
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->header("ratelimit-limit"), QByteArray("5"));
        QCOMPARE(response->header("ratelimit-remaining"), QByteArray::number(5 - i));
        QVERIFY(response->header("retry-after").isEmpty());
    }
    const auto refused = connection.roundTrip("GET", "/five");
    QVERIFY(refused);
    QCOMPARE(refused->status, 429);
    QCOMPARE(errorOf(*refused), QStringLiteral("rate_limited"));
    QCOMPARE(refused->header("ratelimit-limit"), QByteArray("5"));
    QCOMPARE(refused->header("ratelimit-remaining"), QByteArray("0"));
    // One more is allowed after 1/5 s: whole seconds rounded up.
    QCOMPARE(refused->header("ratelimit-reset"), QByteArray("1"));
    QCOMPARE(refused->header("retry-after"), QByteArray("1"));
    const QJsonObject line = byRequestId(waitForAccessLog(m_logPath, 6)).value(QString::fromLatin1(refused->header("x-request-id")));
    QCOMPARE(line.value(u"rate_limited").toBool(), true);
    QVERIFY(upstreamNotAsked(line));
    // The bucket refills at the configured rate.
    QTest::qWait(450);
    const auto later = connection.roundTrip("GET", "/five");
    QVERIFY(later);
    QCOMPARE(later->status, 200);
}

void TestRateLimits::bucketsPerKey()
{
    const auto statusFrom = [this](const char *source) {
        RawConnection connection;
        if (!connection.openFrom(QHostAddress(QString::fromLatin1(source)), m_gateway->port())) {
            return 0;
        }
        const auto response = connection.roundTrip("GET", "/by-ip");
        return response ? response->status : 0;
    };
    QCOMPARE(statusFrom("127.0.0.2"), 200);
    QCOMPARE(statusFrom("127.0.0.2"), 200);
    QCOMPARE(statusFrom("127.0.0.2"), 429);
    QCOMPARE(statusFrom("127.0.0.3"), 200); // another address, another bucket

    RawConnection connection;
    QVERIFY(connection.open(m_gateway->port()));
    const auto withKey = [&connection](const QByteArray &key) {
        const auto response = connection.roundTrip("GET", "/by-key", { { "X-Api-Key", key } });
        return response ? response->status : 0;
    };
    QCOMPARE(withKey("alpha"), 200);
    QCOMPARE(withKey("alpha"), 200);
    QCOMPARE(withKey("alpha"), 429);
    QCOMPARE(withKey("beta"), 200);
    QCOMPARE(withKey("beta"), 200);
    QCOMPARE(withKey("beta"), 429);
}

void TestRateLimits::tightestLimitGivesTheHeaders()
{
    RawConnection connection;
    QVERIFY(connection.open(m_gateway->port()));
    auto response = connection.roundTrip("GET", "/both");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("ratelimit-limit"), QByteArray("3")); // 2 left of 3 beats 9 left of 10
    QCOMPARE(response->header("ratelimit-remaining"), QByteArray("2"));
    connection.roundTrip("GET", "/both");
    connection.roundTrip("GET", "/both");
    response = connection.roundTrip("GET", "/both");
    QVERIFY(response);
    QCOMPARE(response->status, 429);
    QCOMPARE(response->header("ratelimit-limit"), QByteArray("3"));
    QCOMPARE(response->header("retry-after"), QByteArray("20")); // one more of 3 per minute
}

void TestRateLimits::limitsAroundJwtVerification()
{
    // SPEC §7.1: an ip limit runs before the token is verified, so a client sending bad tokens
    // is throttled (429, not 401, once over the limit) and costs no more signature checks.
    RawConnection bad;
    QVERIFY(bad.openFrom(QHostAddress(QStringLiteral("127.0.0.5")), m_gateway->port()));
    const QList<std::pair<QByteArray, QByteArray>> forged { { "Authorization", "Bearer aaa.bbb.ccc" } };
    for (const char *remaining : { "1", "0" }) {
        const auto response = bad.roundTrip("GET", "/guarded", forged);
        QVERIFY(response);
        QCOMPARE(response->status, 401);
        QCOMPARE(response->header("ratelimit-limit"), QByteArray("2")); // counted, and said so
        QCOMPARE(response->header("ratelimit-remaining"), QByteArray(remaining));
    }
    auto refused = bad.roundTrip("GET", "/guarded", forged);
    QVERIFY(refused);
    QCOMPARE(refused->status, 429);
    QCOMPARE(errorOf(*refused), QStringLiteral("rate_limited"));
    QVERIFY(!refused->header("retry-after").isEmpty());
    const QString refusedId = QString::fromLatin1(refused->header("x-request-id"));
    QJsonObject line;
    QTRY_VERIFY_WITH_TIMEOUT(!(line = byRequestId(readAccessLog(m_logPath)).value(refusedId)).isEmpty(), 5000);
    QCOMPARE(line.value(u"rate_limited").toBool(), true);
    QVERIFY2(line.value(u"auth").isNull(), QJsonDocument(line).toJson().constData()); // never verified

    // A consumer limit runs after verification: it counts the token's subject, so two users
    // behind one address have a bucket each. Its headers win when it is the tighter one, once.
    const QString profilePath = m_dir.filePath(QStringLiteral("limits.yaml"));
    const auto mint = [&profilePath](const char *subject) {
        QByteArray token;
        GatehouseProcess::run({ QStringLiteral("token"), profilePath, QStringLiteral("--jwt"), QStringLiteral("hs"),
                                QStringLiteral("--claim"), QStringLiteral("sub=") + QLatin1String(subject) },
                              &token);
        return token.trimmed();
    };
    const QByteArray alice = mint("alice");
    const QByteArray bob = mint("bob");
    QVERIFY(!alice.isEmpty() && !bob.isEmpty());
    RawConnection users;
    QVERIFY(users.openFrom(QHostAddress(QStringLiteral("127.0.0.6")), m_gateway->port()));
    auto response = users.roundTrip("GET", "/per-user", { { "Authorization", "Bearer " + alice } });
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("ratelimit-limit"), QByteArray("1")); // 0 left of 1 beats 9 left of 10
    QCOMPARE(response->header("ratelimit-remaining"), QByteArray("0"));
    int limitHeaders = 0;
    for (const auto &[name, value] : response->headers) {
        limitHeaders += name.compare("ratelimit-limit", Qt::CaseInsensitive) == 0 ? 1 : 0;
    }
    QCOMPARE(limitHeaders, 1);
    response = users.roundTrip("GET", "/per-user", { { "Authorization", "Bearer " + alice } });
    QVERIFY(response);
    QCOMPARE(response->status, 429);
    response = users.roundTrip("GET", "/per-user", { { "Authorization", "Bearer " + bob } });
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    // Without a valid token the consumer limit is never reached; the ip limit still speaks.
    response = users.roundTrip("GET", "/per-user", forged);
    QVERIFY(response);
    QCOMPARE(response->status, 401);
    QCOMPARE(response->header("ratelimit-limit"), QByteArray("10"));
    QCOMPARE(response->header("ratelimit-remaining"), QByteArray("6"));
}

void TestRateLimits::twoWorkersNeverOverAdmit()
{
    // 40 per 10 s with a burst of 10: a bucket of 50, refilling 4 per second. Eight keep-alive
    // clients over both workers, for one second.
    std::atomic<int> allowed { 0 };
    std::atomic<int> refused { 0 };
    std::atomic<int> other { 0 };
    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(runClientThreads(8, [&](int) {
        RawConnection connection;
        if (!connection.open(m_gateway->port())) {
            ++other;
            return;
        }
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 1000) {
            const auto response = connection.roundTrip("GET", "/hammer");
            const int status = response ? response->status : 0;
            (status == 200 ? allowed : status == 429 ? refused : other)++;
        }
    }));
    const double seconds = double(elapsed.elapsed()) / 1000.0;
    const int ceiling = 50 + int(4 * seconds) + 1;
    QVERIFY2(allowed >= 50 && allowed <= ceiling,
             qPrintable(QStringLiteral("allowed %1, ceiling %2, refused %3").arg(allowed.load()).arg(ceiling).arg(refused.load())));
    QVERIFY(refused > 100);
    QCOMPARE(other.load(), 0);
}

void TestRateLimits::redisSharedByTwoGateways()
{
    RedisServer redis;
    QVERIFY(redis.start(deadPort()));
    const QByteArray limits = R"(routes:
  - { name: shared, match: { path: /shared }, upstream: echo, rate_limit: [ten-shared] }
rate_limits:
  - { name: ten-shared, requests: 10, per: 1m, key: route, store: "@R@" }
)";
    const QByteArray profile = profileWith(QByteArray(limits).replace("@R@", redis.url(QStringLiteral("2")).toLatin1()));
    QString logA;
    QString logB;
    auto a = startGatewayWithLog(m_dir, QStringLiteral("redis-a"), profile, &logA);
    auto b = startGatewayWithLog(m_dir, QStringLiteral("redis-b"), profile, &logB);
    QVERIFY(a && b);
    RawConnection toA;
    RawConnection toB;
    QVERIFY(toA.open(a->port()) && toB.open(b->port()));
    int allowed = 0;
    int limited = 0;
    for (int i = 0; i < 7; ++i) {
        for (RawConnection *connection : { &toA, &toB }) {
            const auto response = connection->roundTrip("GET", "/shared");
            QVERIFY(response);
            (response->status == 200 ? allowed : limited)++;
            QVERIFY(response->status == 200 || response->status == 429);
        }
    }
    QCOMPARE(allowed, 10);
    QCOMPARE(limited, 4);
}

void TestRateLimits::redisUnreachableFailsOpenOrClosed()
{
    RedisServer redis;
    QVERIFY(redis.start(deadPort()));
    QByteArray limits = R"(routes:
  - { name: open, match: { path: /open }, upstream: echo, rate_limit: [open-limit] }
  - { name: closed, match: { path: /closed }, upstream: echo, rate_limit: [closed-limit] }
rate_limits:
  - { name: open-limit, requests: 100, per: 1m, key: ip, store: "@R@" }
  - { name: closed-limit, requests: 100, per: 1m, key: ip, store: "@R@", fail: closed }
)";
    limits.replace("@R@", redis.url().toLatin1());
    QString log;
    auto gateway = startGatewayWithLog(m_dir, QStringLiteral("redis-down"), profileWith(limits), &log);
    QVERIFY(gateway);
    RawConnection connection;
    QVERIFY(connection.open(gateway->port()));
    auto response = connection.roundTrip("GET", "/closed");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("ratelimit-remaining"), QByteArray("99"));

    redis.pause(); // unreachable: connections hang, commands time out
    QElapsedTimer timer;
    timer.start();
    response = connection.roundTrip("GET", "/open");
    QVERIFY(response);
    QCOMPARE(response->status, 200); // fail open: served, without rate-limit headers
    QVERIFY(response->header("ratelimit-limit").isEmpty());
    response = connection.roundTrip("GET", "/closed");
    QVERIFY(response);
    QCOMPARE(response->status, 503);
    QCOMPARE(errorOf(*response), QStringLiteral("rate_limit_unavailable"));
    QVERIFY2(timer.elapsed() < 2000, "a check must not wait on Redis beyond its timeout");
    QVERIFY(gateway->waitForStderr("redis", 3000));

    redis.resume();
    QTRY_VERIFY_WITH_TIMEOUT(connection.roundTrip("GET", "/closed").value_or(HttpResponse {}).status == 200, 10000);
}

QTEST_GUILESS_MAIN(TestRateLimits)
#include "TestRateLimits.moc"

// Redis stopped (SIGSTOP) under a gateway with one worker thread (its only CPU, so Qt's ideal
// thread count is one): while a Redis-limited request waits out its 200 ms deadline, requests on
// a plain route of the same worker are answered as usual. A worker blocked on Redis would hold
// the first of them until the deadline; here each is answered well within it (150 ms leaves
// room for an ASan build on a busy machine), several before the limited request is answered,
// which then fails closed.
void TestRateLimits::stalledRedisBlocksNoOtherRoute()
{
    RedisServer redis;
    QVERIFY(redis.start(deadPort()));
    QByteArray limits = R"(routes:
  - { name: plain, match: { path: /plain }, upstream: echo }
  - { name: limited, match: { path: /limited }, upstream: echo, rate_limit: [in-redis] }
rate_limits:
  - { name: in-redis, requests: 1000, per: 1m, key: ip, store: "@R@", fail: closed }
)";
    limits.replace("@R@", redis.url().toLatin1());
    const QString path = writeFile(m_dir, QStringLiteral("one-worker.yaml"), profileWith(limits));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServeUnder(QStringLiteral("taskset -cp 0 $$ >/dev/null"), path), gateway.stderrText().constData());
    QVERIFY2(gateway.waitForStderr("running with 1 workers"), gateway.stderrText().constData());
    RawConnection limited;
    RawConnection plain;
    QVERIFY(limited.open(gateway.port()));
    QVERIFY(plain.open(gateway.port()));
    auto response = limited.roundTrip("GET", "/limited");
    QVERIFY(response);
    QCOMPARE(response->status, 200); // the worker's Redis connection is up
    QCOMPARE(plain.roundTrip("GET", "/plain").value_or(HttpResponse {}).status, 200);

    redis.pause();
    QElapsedTimer waiting;
    waiting.start();
    limited.send("GET /limited HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    int answeredMeanwhile = 0;
    qint64 slowestMs = 0;
    while (waiting.elapsed() < 150) {
        QElapsedTimer one;
        one.start();
        response = plain.roundTrip("GET", "/plain");
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        slowestMs = std::max(slowestMs, one.elapsed());
        answeredMeanwhile += limited.hasPendingData() ? 0 : 1;
    }
    response = limited.read();
    const qint64 limitedMs = waiting.elapsed();
    qInfo("%d plain requests answered while the limited one waited; slowest %lld ms; limited answered after %lld ms",
          answeredMeanwhile, slowestMs, limitedMs);
    QVERIFY(response);
    QCOMPARE(response->status, 503);
    QCOMPARE(errorOf(*response), QStringLiteral("rate_limit_unavailable"));
    QVERIFY2(limitedMs >= 190, "the limited request waits for Redis until the deadline");
    QVERIFY2(slowestMs < 150, "a plain request waited on Redis");
    QVERIFY(answeredMeanwhile >= 2);
    redis.resume();
}
