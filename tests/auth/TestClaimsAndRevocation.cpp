// Claim lookup and `require` matching, claim values as headers, and the revocation list.

#include <thread>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "engine/auth/Base64Url.h"
#include "engine/auth/Claims.h"
#include "engine/auth/RevocationList.h"

using namespace gatehouse::engine;

namespace {

QJsonObject claimsFrom(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class TestClaimsAndRevocation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requireMatches_data();
    void requireMatches();
    void headerValues_data();
    void headerValues();
    void revocationLastsUntilExp();
    void revocationByHashWithoutJti();
    void revocationIsBounded();
    void revocationIsSafeAcrossThreads();
};

void TestClaimsAndRevocation::requireMatches_data()
{
    QTest::addColumn<QString>("claim");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("matches");
    QTest::newRow("string equal") << QStringLiteral("role") << QStringLiteral("admin") << true;
    QTest::newRow("string differs") << QStringLiteral("role") << QStringLiteral("Admin") << false;
    QTest::newRow("array member") << QStringLiteral("roles") << QStringLiteral("dev") << true;
    QTest::newRow("array non-member") << QStringLiteral("roles") << QStringLiteral("ops") << false;
    QTest::newRow("number") << QStringLiteral("level") << QStringLiteral("3") << true;
    QTest::newRow("bool") << QStringLiteral("verified") << QStringLiteral("true") << true;
    QTest::newRow("nested path") << QStringLiteral("realm_access.roles") << QStringLiteral("admin") << true;
    QTest::newRow("dotted name wins") << QStringLiteral("https://x.test/tier") << QStringLiteral("gold") << true;
    QTest::newRow("missing") << QStringLiteral("team") << QStringLiteral("a") << false;
    QTest::newRow("object never matches") << QStringLiteral("realm_access") << QStringLiteral("{}") << false;
    QTest::newRow("null never matches") << QStringLiteral("nothing") << QStringLiteral("null") << false;
}

void TestClaimsAndRevocation::requireMatches()
{
    QFETCH(QString, claim);
    QFETCH(QString, expected);
    QFETCH(bool, matches);
    const QJsonObject claims = claimsFrom(R"({"role":"admin","roles":["dev","qa"],"level":3,"verified":true,
        "realm_access":{"roles":["admin"]},"https://x.test/tier":"gold","nothing":null})");
    QCOMPARE(claimMatches(claimValue(claims, claim), expected), matches);
}

void TestClaimsAndRevocation::headerValues_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("string") << QByteArray(R"({"v":"user-42"})") << QByteArray("user-42");
    QTest::newRow("number") << QByteArray(R"({"v":42})") << QByteArray("42");
    QTest::newRow("fraction") << QByteArray(R"({"v":1.5})") << QByteArray("1.5");
    QTest::newRow("huge number") << QByteArray(R"({"v":1e300})") << QByteArray("1.0000000000000001e+300");
    QTest::newRow("huge negative") << QByteArray(R"({"v":-1e300})") << QByteArray("-1.0000000000000001e+300");
    QTest::newRow("array") << QByteArray(R"({"v":["a","b"]})") << QByteArray("a,b");
    QTest::newRow("object") << QByteArray(R"({"v":{"k":1}})") << QByteArray(R"({"k":1})");
    QTest::newRow("CRLF injection") << QByteArray(R"({"v":"x\r\nX-Admin: yes"})") << QByteArray();
    QTest::newRow("NUL") << QByteArray(R"({"v":"a\u0000b"})") << QByteArray();
    QTest::newRow("missing") << QByteArray(R"({})") << QByteArray();
    QTest::newRow("utf-8") << QByteArray(R"({"v":"Zoë"})") << QByteArray("Zo\xc3\xab");
}

void TestClaimsAndRevocation::headerValues()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, header);
    QCOMPARE(claimHeaderValue(claimValue(QJsonDocument::fromJson(json).object(), u"v")), header);
}

void TestClaimsAndRevocation::revocationLastsUntilExp()
{
    QString error;
    RevocationList list;
    const QJsonObject claims { { QStringLiteral("jti"), QStringLiteral("t-1") }, { QStringLiteral("exp"), 1000 } };
    const RevocationEntry entry = revocationEntryFor(claims, "a.b.c");
    QCOMPARE(entry.id, QByteArray("jti:t-1"));
    QVERIFY(!list.isRevoked(entry.id, 900));
    QVERIFY(list.revoke(entry, 900, &error));
    QVERIFY(list.isRevoked(entry.id, 900));
    QVERIFY(list.isRevoked(entry.id, 1000)); // exp itself is already expired, but the token is refused either way
    QVERIFY(!list.isRevoked(entry.id, 1001));
    QVERIFY(!list.isRevoked("jti:t-2", 900));
}

void TestClaimsAndRevocation::revocationByHashWithoutJti()
{
    const QByteArray payload = base64UrlEncode(R"({"sub":"bob","exp":2000})");
    const QByteArray token = "eyJhbGciOiJIUzI1NiJ9." + payload + ".c2ln";
    const auto entry = revocationEntryForUnverified(token);
    QVERIFY(entry);
    QVERIFY(entry->id.startsWith("sha256:"));
    QCOMPARE(entry->untilSeconds, qint64(2001));
    QCOMPARE(revocationEntryFor(claimsFrom(R"({"sub":"bob","exp":2000})"), token).id, entry->id);
    QVERIFY(!revocationEntryForUnverified("garbage"));
    const auto hugeExp = revocationEntryForUnverified("e30." + base64UrlEncode(R"({"jti":"y","exp":-1e300})") + ".c2ln");
    QVERIFY(hugeExp);
    QCOMPARE(hugeExp->untilSeconds, std::numeric_limits<qint64>::max());
    QVERIFY(!revocationEntryForUnverified("a.!!!.c"));
    // Without exp a revocation never lapses.
    const auto forever = revocationEntryForUnverified("e30." + base64UrlEncode(R"({"jti":"x"})") + ".c2ln");
    QVERIFY(forever);
    QCOMPARE(forever->untilSeconds, std::numeric_limits<qint64>::max());
}

void TestClaimsAndRevocation::revocationIsBounded()
{
    QString error;
    RevocationList list;
    for (qsizetype i = 0; i < RevocationList::kMaxEntries; ++i) {
        QVERIFY(list.revoke({ "jti:" + QByteArray::number(i), 100 }, 50, &error));
    }
    QVERIFY(!list.revoke({ "jti:one-more", 100 }, 50, &error));
    QVERIFY(error.contains(u"full"));
    // Once those tokens expired their entries make room.
    QVERIFY(list.revoke({ "jti:one-more", 300 }, 200, &error));
    QCOMPARE(list.size(), 1);
}

void TestClaimsAndRevocation::revocationIsSafeAcrossThreads()
{
    QString error;
    RevocationList list;
    std::atomic<int> seen { 0 };
    std::thread reader([&] {
        for (int i = 0; i < 20000; ++i) {
            seen += list.isRevoked("jti:" + QByteArray::number(i % 500), 10) ? 1 : 0;
        }
    });
    for (int i = 0; i < 500; ++i) {
        list.revoke({ "jti:" + QByteArray::number(i), 100 }, 10, &error);
    }
    reader.join();
    QCOMPARE(list.size(), 500);
    for (int i = 0; i < 500; ++i) {
        QVERIFY(list.isRevoked("jti:" + QByteArray::number(i), 10));
    }
}

QTEST_GUILESS_MAIN(TestClaimsAndRevocation)
#include "TestClaimsAndRevocation.moc"
