// Token revocation through an in-process engine (the admin API will call the same Gateway
// methods): a revoked token is refused with 401 "token revoked" until its exp (plus the leeway
// it is accepted for), other tokens still pass, and revocations survive a profile reload. Tokens the workers remember as verified
// still expire on time.

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "engine/auth/JwtKey.h"
#include "engine/auth/JwtMinter.h"
#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "tests/integration/IntegrationClients.h"
#include "tests/support/RedisServer.h"

using namespace gatehouse;
using namespace gatehouse::test::it;

namespace {

const QByteArray kSecret = "revocation-test-secret-0123456789";

const QByteArray kProfile = R"(gatehouse: 1
name: revoke
listen: [{ bind: 127.0.0.1:0 }]
routes:
  - { name: me, match: { path: /me }, respond: { status: 200, body: hello }, auth: hs }
jwt:
  - { name: hs, algorithms: [HS256], secret: env:GATEHOUSE_REVOCATION_SECRET }
)";

QByteArray mint(const QJsonObject &claims)
{
    return *engine::mintJwt(engine::JwtKey::fromSecret(kSecret), engine::JwtAlgorithm::HS256, claims);
}

} // namespace

class TestJwtRevocation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qputenv("GATEHOUSE_REVOCATION_SECRET", kSecret); }
    void revokedTokensAreRefusedUntilExp();
    void rememberedTokensStillExpire();
    void sharedThroughRedis();
    void revocationsLastThroughTheLeeway();

private:
    int status(const QByteArray &token, QByteArray *challenge = nullptr)
    {
        const QnamResult result = qnam(m_manager, "GET", m_url + QStringLiteral("/me"), { { "Authorization", "Bearer " + token } });
        if (challenge) {
            *challenge = result.header("www-authenticate");
        }
        return result.status;
    }

    QNetworkAccessManager m_manager;
    QString m_url;
};

void TestJwtRevocation::revokedTokensAreRefusedUntilExp()
{
    const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("revoke.yaml"), QDir::tempPath());
    QVERIFY(read.ok());
    engine::Gateway gateway;
    QString error;
    QVERIFY(!gateway.revokeJti(QStringLiteral("x"), &error)); // nothing to revoke in before it runs
    QVERIFY(gateway.start(*read.profile));
    m_url = gateway.listeners().first().url();

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray withJti = mint({ { QStringLiteral("sub"), QStringLiteral("a") }, { QStringLiteral("jti"), QStringLiteral("t-1") },
                                      { QStringLiteral("exp"), now + 600 } });
    const QByteArray withoutJti = mint({ { QStringLiteral("sub"), QStringLiteral("b") }, { QStringLiteral("exp"), now + 600 } });
    const QByteArray other = mint({ { QStringLiteral("sub"), QStringLiteral("c") }, { QStringLiteral("exp"), now + 600 } });
    // Revoked by its jti alone, as an operator who only knows the jti would.
    const QByteArray byJti = mint({ { QStringLiteral("sub"), QStringLiteral("d") }, { QStringLiteral("jti"), QStringLiteral("t-2") },
                                         { QStringLiteral("exp"), now + 600 } });
    QCOMPARE(status(withJti), 200);
    QCOMPARE(status(withoutJti), 200);

    QVERIFY2(gateway.revokeToken(withJti, &error), qPrintable(error));
    QVERIFY2(gateway.revokeToken(withoutJti, &error), qPrintable(error));
    QVERIFY2(gateway.revokeJti(QStringLiteral("t-2"), &error), qPrintable(error));
    QVERIFY(!gateway.revokeToken("not a token", &error));
    QVERIFY(error.contains(u"not a JWT"));

    QByteArray challenge;
    QCOMPARE(status(withJti, &challenge), 401);
    QVERIFY2(challenge.contains(R"(error_description="token revoked")"), challenge.constData());
    QCOMPARE(status(withoutJti), 401);
    QCOMPARE(status(byJti), 401);
    QCOMPARE(status(other), 200);

    // A reload keeps the list.
    QSignalSpy applied(&gateway, &engine::Gateway::profileApplied);
    QVERIFY(gateway.apply(*read.profile));
    QCOMPARE(status(withJti), 401);
    QCOMPARE(status(other), 200);

    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop();
    QVERIFY(stopped.wait(5000) || stopped.count() == 1);
}

void TestJwtRevocation::rememberedTokensStillExpire()
{
    // Workers remember verified tokens; the clock still applies to a remembered one.
    const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("revoke.yaml"), QDir::tempPath());
    QVERIFY(read.ok());
    engine::Gateway gateway;
    QVERIFY(gateway.start(*read.profile));
    m_url = gateway.listeners().first().url();
    const QByteArray token = mint({ { QStringLiteral("sub"), QStringLiteral("e") },
                                    { QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + 2 } });
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(status(token), 200); // both workers, more than once
    }
    QTest::qWait(2500);
    QByteArray challenge;
    QCOMPARE(status(token, &challenge), 401);
    QVERIFY2(challenge.contains("token expired"), challenge.constData());
    QCOMPARE(status(token), 401);
    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop();
    QVERIFY(stopped.wait(5000) || stopped.count() == 1);
}

void TestJwtRevocation::sharedThroughRedis()
{
    // Two gateways (each with its own workers and Redis connections) share a revocation store:
    // a token revoked on one is refused by the other within a second.
    gatehouse::test::RedisServer redis;
    QVERIFY(redis.start(deadPort()));
    QByteArray yaml = kProfile;
    yaml.replace("secret: env:GATEHOUSE_REVOCATION_SECRET }", "secret: env:GATEHOUSE_REVOCATION_SECRET, revocation_store: \"" + redis.url().toLatin1() + "\" }");
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("shared.yaml"), QDir::tempPath());
    QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.problems.first().toString()));
    engine::Gateway first;
    engine::Gateway second;
    QVERIFY(first.start(*read.profile));
    QVERIFY(second.start(*read.profile));
    const QString firstUrl = first.listeners().first().url();
    const QString secondUrl = second.listeners().first().url();

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray token = mint({ { QStringLiteral("sub"), QStringLiteral("f") }, { QStringLiteral("jti"), QStringLiteral("t-9") },
                                    { QStringLiteral("exp"), now + 600 } });
    const QByteArray other = mint({ { QStringLiteral("sub"), QStringLiteral("g") }, { QStringLiteral("exp"), now + 600 } });
    m_url = secondUrl;
    QCOMPARE(status(token), 200);
    QString error;
    QVERIFY2(first.revokeToken(token, &error), qPrintable(error));
    m_url = firstUrl;
    QCOMPARE(status(token), 401); // at once where it was revoked
    m_url = secondUrl;
    QTRY_COMPARE_WITH_TIMEOUT(status(token), 401, 3000); // within a second on the other gateway
    QCOMPARE(status(other), 200);
    // The key goes away with the token.
    const QByteArray ttl = redis.command("TTL gatehouse:rv:jti:t-9");
    QVERIFY2(ttl.startsWith(':') && ttl.mid(1).toInt() > 500 && ttl.mid(1).toInt() <= 601, ttl.constData());

    // Redis gone: revoking says so; lookups let tokens through rather than lock everybody out.
    redis.stop();
    QCOMPARE(first.storeStatus().size(), 1);
    QVERIFY(first.storeStatus().first().available);
    QVERIFY(!first.revokeToken(other, &error));
    QVERIFY2(error.contains(u"revocation store"), qPrintable(error));
    // The outage shows in the gateway's state, not only in its log.
    const engine::StoreStatus down = first.storeStatus().value(0);
    QCOMPARE(down.purpose, QStringLiteral("revocation store"));
    QCOMPARE(down.url, redis.url());
    QVERIFY(!down.available);
    QVERIFY(!down.lastError.isEmpty());
    QTest::qWait(1100); // past the remembered answers
    QCOMPARE(status(other), 200);

    QSignalSpy firstStopped(&first, &engine::Gateway::stopped);
    QSignalSpy secondStopped(&second, &engine::Gateway::stopped);
    first.stop();
    second.stop();
    QVERIFY(firstStopped.wait(5000) || firstStopped.count() == 1);
    QVERIFY(secondStopped.count() == 1 || secondStopped.wait(5000));
}

void TestJwtRevocation::revocationsLastThroughTheLeeway()
{
    // SPEC §7.1: a token past its exp but inside the leeway still passes verification, so its
    // revocation must last until exp + leeway, in the gateway's own list and in a shared store.
    gatehouse::test::RedisServer redis;
    QVERIFY(redis.start(deadPort()));
    QByteArray yaml = kProfile;
    yaml.replace("secret: env:GATEHOUSE_REVOCATION_SECRET }", "secret: env:GATEHOUSE_REVOCATION_SECRET, leeway: 60s, revocation_store: \""
                     + redis.url().toLatin1() + "\" }");
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("leeway.yaml"), QDir::tempPath());
    QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.problems.first().toString()));
    engine::Gateway first;
    engine::Gateway second;
    QVERIFY(first.start(*read.profile));
    QVERIFY(second.start(*read.profile));
    const QString firstUrl = first.listeners().first().url();
    const QString secondUrl = second.listeners().first().url();

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray lapsed = mint({ { QStringLiteral("sub"), QStringLiteral("h") }, { QStringLiteral("jti"), QStringLiteral("t-late") },
                                     { QStringLiteral("exp"), now - 10 } });
    m_url = firstUrl;
    QCOMPARE(status(lapsed), 200); // expired 10 s ago, inside the 60 s leeway
    m_url = secondUrl;
    QCOMPARE(status(lapsed), 200);

    QString error;
    QVERIFY2(first.revokeToken(lapsed, &error), qPrintable(error));
    m_url = firstUrl;
    QByteArray challenge;
    QCOMPARE(status(lapsed, &challenge), 401);
    QVERIFY2(challenge.contains(R"(error_description="token revoked")"), challenge.constData());
    m_url = secondUrl;
    QTRY_COMPARE_WITH_TIMEOUT(status(lapsed), 401, 3000); // through Redis
    // The shared key lives as long as the leeway lets the token pass: until exp + 60 s.
    const QByteArray ttl = redis.command("TTL gatehouse:rv:jti:t-late");
    QVERIFY2(ttl.startsWith(':') && ttl.mid(1).toInt() > 40 && ttl.mid(1).toInt() <= 51, ttl.constData());

    QSignalSpy firstStopped(&first, &engine::Gateway::stopped);
    QSignalSpy secondStopped(&second, &engine::Gateway::stopped);
    first.stop();
    second.stop();
    QVERIFY(firstStopped.wait(5000) || firstStopped.count() == 1);
    QVERIFY(secondStopped.count() == 1 || secondStopped.wait(5000));
}

QTEST_GUILESS_MAIN(TestJwtRevocation)
#include "TestJwtRevocation.moc"
