// JwtAuthStage: a route with `auth` needs a valid token; claims become the consumer and headers;
// a shared revocation store (a real redis-server) is asked with the request paused.

#include <QDateTime>
#include <QJsonArray>
#include <QTest>

#include "StageHarness.h"
#include "StageTests.h"
#include "engine/auth/JwtMinter.h"
#include "engine/auth/RevocationList.h"
#include "tests/support/RedisServer.h"
#include "tests/support/TestProfiles.h"

using namespace gatehouse::engine;
using namespace gatehouse::engine::testing;
using gatehouse::test::RedisServer;

namespace {

const QByteArray kSecret = "stage-test-secret-of-at-least-32-bytes!";
const QByteArray kJwt = "jwt:\n"
                        "  - name: users\n"
                        "    algorithms: [HS256]\n"
                        "    secret: env:GATEHOUSE_STAGE_TEST_SECRET\n"
                        "    issuer: https://auth.test\n"
                        "    claims_to_headers: { sub: X-User-ID }\n";
const QByteArray kRoutes = "  - name: private\n"
                           "    match: { path: /private }\n"
                           "    upstream: api\n"
                           "    auth: users\n"
                           "  - name: admin\n"
                           "    match: { path: /admin }\n"
                           "    upstream: api\n"
                           "    auth: users\n"
                           "    require: { role: admin }\n";

QByteArray token(const QJsonObject &extra = {}, const QByteArray &secret = kSecret)
{
    QJsonObject claims { { QStringLiteral("sub"), QStringLiteral("user-7") },
                         { QStringLiteral("iss"), QStringLiteral("https://auth.test") },
                         { QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + 600 } };
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        claims.insert(it.key(), it.value());
    }
    return mintJwt(JwtKey::fromSecret(secret), JwtAlgorithm::HS256, claims).value_or(QByteArray());
}

QByteArray request(const QByteArray &path, const QByteArray &bearer)
{
    QByteArray head = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n";
    if (!bearer.isEmpty()) {
        head += "Authorization: Bearer " + bearer + "\r\n";
    }
    return head + "\r\n";
}

} // namespace

class TestJwtAuthStage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { qputenv("GATEHOUSE_STAGE_TEST_SECRET", kSecret); }

    void validTokenNamesTheConsumer()
    {
        StageHarness harness(baseProfile(kRoutes, kJwt));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        QCOMPARE(harness.runStage("jwt_auth", request("/private", token())), StageResult::Continue);
        QCOMPARE(harness.ctx.consumer, QByteArray("user-7"));
        QCOMPARE(harness.ctx.authOutcome, QByteArray("ok"));
        QCOMPARE(harness.ctx.claimHeaders.value(0), std::make_pair(QByteArray("X-User-ID"), QByteArray("user-7")));
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("bearer");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("error");
        QTest::newRow("no token") << QByteArray("/private") << QByteArray() << 401 << QByteArray("missing_token");
        QTest::newRow("wrong key") << QByteArray("/private") << token({}, "another-secret-that-is-32-bytes-long!")
                                   << 401 << QByteArray("invalid_token");
        QTest::newRow("expired") << QByteArray("/private")
                                 << token({ { QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() - 60 } }) << 401
                                 << QByteArray("invalid_token");
        QTest::newRow("wrong issuer") << QByteArray("/private") << token({ { QStringLiteral("iss"), QStringLiteral("https://evil") } })
                                      << 401 << QByteArray("invalid_token");
        QTest::newRow("missing required claim") << QByteArray("/admin") << token() << 403 << QByteArray("forbidden");
    }
    void refusals()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, bearer);
        QFETCH(int, status);
        QFETCH(QByteArray, error);
        StageHarness harness(baseProfile(kRoutes, kJwt));
        QCOMPARE(harness.runStage("jwt_auth", request(path, bearer)), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, status);
        QCOMPARE(harness.ctx.response.error, error);
        if (status == 401) {
            QVERIFY(harness.ctx.consumer.isEmpty());
            QCOMPARE(harness.ctx.response.headers.value(0).first, QByteArray("WWW-Authenticate"));
        } else {
            QCOMPARE(harness.ctx.consumer, QByteArray("user-7")); // known, but not allowed here
        }
    }

    void requiredClaimPresent()
    {
        StageHarness harness(baseProfile(kRoutes, kJwt));
        QCOMPARE(harness.runStage("jwt_auth", request("/admin", token({ { QStringLiteral("role"), QStringLiteral("admin") } }))),
                 StageResult::Continue);
    }

    void sharedRevocationPausesUntilRedisAnswers()
    {
        RedisServer redis;
        QVERIFY(redis.start(gatehouse::test::closedLoopbackPort()));
        QByteArray jwt = kJwt;
        jwt.replace("issuer: https://auth.test\n", "issuer: https://auth.test\n    revocation_store: \"" + redis.url().toLatin1() + "\"\n");
        StageHarness harness(baseProfile(kRoutes, jwt));
        QVERIFY2(harness.error().isEmpty(), qPrintable(harness.error()));
        const QByteArray revoked = token({ { QStringLiteral("jti"), QStringLiteral("gone") } });
        QString error;
        const auto store = harness.config->redisRevocations.value(redis.url());
        QVERIFY(store);
        QVERIFY2(store->revoke(revocationEntryFor({ { QStringLiteral("jti"), QStringLiteral("gone") } }, revoked), 0, &error),
                 qPrintable(error));

        const auto ask = [&harness](const QByteArray &bearer) {
            harness.start(request("/private", bearer));
            harness.countResumes();
            harness.runUpTo("jwt_auth");
            if (harness.run("jwt_auth") != StageResult::Pause || harness.resumes != 0) {
                return StageResult::Pause; // it had to ask, and must not resume before pausing
            }
            if (!QTest::qWaitFor([&harness] { return harness.resumes == 1; }, 5'000)) {
                return StageResult::Pause;
            }
            return harness.run("jwt_auth");
        };
        QCOMPARE(ask(token({ { QStringLiteral("jti"), QStringLiteral("fine") } })), StageResult::Continue);
        QCOMPARE(harness.ctx.authOutcome, QByteArray("ok"));
        QCOMPARE(ask(revoked), StageResult::Respond);
        QCOMPARE(harness.ctx.response.status, 401);
        QCOMPARE(harness.ctx.authOutcome, QByteArray("revoked"));
    }

    void publicRouteIsNotChecked()
    {
        StageHarness harness(baseProfile(kRoutes, kJwt));
        QCOMPARE(harness.runStage("jwt_auth", request("/api", "garbage")), StageResult::Continue);
        QVERIFY(harness.ctx.authOutcome.isEmpty());
    }
};

GATEHOUSE_STAGE_TEST(TestJwtAuthStage)
#include "TestJwtAuthStage.moc"
