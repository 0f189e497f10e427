#include "engine/profile/Units.h"
#include "engine/profile/Values.h"

#include <QTest>

using namespace gatehouse::profile;
using namespace std::chrono_literals;

class TestUnits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseDuration_data();
    void parseDuration();
    void formatDuration_data();
    void formatDuration();
    void parseSize_data();
    void parseSize();
    void formatSize_data();
    void formatSize();
    void hostPort_data();
    void hostPort();
    void targetUrl_data();
    void targetUrl();
    void secretRef_data();
    void secretRef();
    void loopback_data();
    void loopback();
};

void TestUnits::parseDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms"); // -1: invalid
    QTest::addColumn<QString>("error");
    QTest::newRow("ms") << QStringLiteral("250ms") << 250LL << QString();
    QTest::newRow("s") << QStringLiteral("5s") << 5000LL << QString();
    QTest::newRow("m") << QStringLiteral("2m") << 120000LL << QString();
    QTest::newRow("h") << QStringLiteral("1h") << 3600000LL << QString();
    QTest::newRow("zero") << QStringLiteral("0s") << 0LL << QString();
    QTest::newRow("spaces around") << QStringLiteral(" 3s ") << 3000LL << QString();
    QTest::newRow("bare number") << QStringLiteral("250") << -1LL << QStringLiteral("has no unit");
    QTest::newRow("bare zero") << QStringLiteral("0") << -1LL << QStringLiteral("has no unit");
    QTest::newRow("empty") << QString() << -1LL << QStringLiteral("empty duration");
    QTest::newRow("unknown unit") << QStringLiteral("5d") << -1LL << QStringLiteral("invalid duration '5d'");
    QTest::newRow("fraction") << QStringLiteral("1.5s") << -1LL << QStringLiteral("invalid duration");
    QTest::newRow("negative") << QStringLiteral("-5s") << -1LL << QStringLiteral("invalid duration");
    QTest::newRow("space before unit") << QStringLiteral("5 s") << -1LL << QStringLiteral("invalid duration");
    QTest::newRow("unit only") << QStringLiteral("ms") << -1LL << QStringLiteral("invalid duration");
    QTest::newRow("upper case") << QStringLiteral("5S") << -1LL << QStringLiteral("invalid duration");
    QTest::newRow("too large") << QStringLiteral("999999999999999999h") << -1LL << QStringLiteral("too large");
}

void TestUnits::parseDuration()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    QFETCH(QString, error);
    QString message;
    const auto parsed = gatehouse::profile::parseDuration(text, &message);
    if (ms < 0) {
        QVERIFY(!parsed);
        QVERIFY2(message.contains(error), qPrintable(message));
    } else {
        QVERIFY(parsed);
        QCOMPARE(parsed->count(), ms);
    }
}

void TestUnits::formatDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << 0LL << QStringLiteral("0s");
    QTest::newRow("1ms") << 1LL << QStringLiteral("1ms");
    QTest::newRow("1500ms") << 1500LL << QStringLiteral("1500ms");
    QTest::newRow("1s") << 1000LL << QStringLiteral("1s");
    QTest::newRow("90s") << 90000LL << QStringLiteral("90s");
    QTest::newRow("1m") << 60000LL << QStringLiteral("1m");
    QTest::newRow("61m") << 3660000LL << QStringLiteral("61m");
    QTest::newRow("2h") << 7200000LL << QStringLiteral("2h");
}

void TestUnits::formatDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(gatehouse::profile::formatDuration(std::chrono::milliseconds(ms)), text);
    QCOMPARE(gatehouse::profile::parseDuration(text), std::chrono::milliseconds(ms));
}

void TestUnits::parseSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes"); // -1: invalid
    QTest::newRow("bytes") << QStringLiteral("1000") << 1000LL;
    QTest::newRow("B") << QStringLiteral("512B") << 512LL;
    QTest::newRow("KiB") << QStringLiteral("64KiB") << 65536LL;
    QTest::newRow("MiB") << QStringLiteral("10MiB") << 10485760LL;
    QTest::newRow("GiB") << QStringLiteral("2GiB") << 2147483648LL;
    QTest::newRow("space before unit") << QStringLiteral("64 KiB") << 65536LL;
    QTest::newRow("KB") << QStringLiteral("64KB") << -1LL;
    QTest::newRow("kib lower") << QStringLiteral("64kib") << -1LL;
    QTest::newRow("negative") << QStringLiteral("-1") << -1LL;
    QTest::newRow("fraction") << QStringLiteral("1.5MiB") << -1LL;
    QTest::newRow("empty") << QString() << -1LL;
    QTest::newRow("overflow") << QStringLiteral("999999999999999999GiB") << -1LL;
}

void TestUnits::parseSize()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    QString error;
    const auto parsed = gatehouse::profile::parseSize(text, &error);
    if (bytes < 0) {
        QVERIFY(!parsed);
        QVERIFY(!error.isEmpty());
    } else {
        QCOMPARE(parsed, std::optional<qint64>(bytes));
    }
}

void TestUnits::formatSize_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("0") << 0LL << QStringLiteral("0");
    QTest::newRow("1000") << 1000LL << QStringLiteral("1000");
    QTest::newRow("1KiB") << 1024LL << QStringLiteral("1KiB");
    QTest::newRow("1536") << 1536LL << QStringLiteral("1536");
    QTest::newRow("64KiB") << 65536LL << QStringLiteral("64KiB");
    QTest::newRow("1025KiB") << 1049600LL << QStringLiteral("1025KiB");
    QTest::newRow("10MiB") << 10485760LL << QStringLiteral("10MiB");
    QTest::newRow("3GiB") << 3221225472LL << QStringLiteral("3GiB");
}

void TestUnits::formatSize()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(gatehouse::profile::formatSize(bytes), text);
    QCOMPARE(gatehouse::profile::parseSize(text), std::optional<qint64>(bytes));
}

void TestUnits::hostPort_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("ipv4") << QStringLiteral("127.0.0.1:8080") << true << QStringLiteral("127.0.0.1") << 8080;
    QTest::newRow("port 0") << QStringLiteral("127.0.0.1:0") << true << QStringLiteral("127.0.0.1") << 0;
    QTest::newRow("port max") << QStringLiteral("0.0.0.0:65535") << true << QStringLiteral("0.0.0.0") << 65535;
    QTest::newRow("name") << QStringLiteral("localhost:80") << true << QStringLiteral("localhost") << 80;
    QTest::newRow("ipv6") << QStringLiteral("[::1]:8080") << true << QStringLiteral("::1") << 8080;
    QTest::newRow("ipv6 full") << QStringLiteral("[2001:db8:0:0:0:0:0:1]:1") << true << QStringLiteral("2001:db8:0:0:0:0:0:1") << 1;
    QTest::newRow("ipv6 mapped") << QStringLiteral("[::ffff:127.0.0.1]:1") << true << QStringLiteral("::ffff:127.0.0.1") << 1;
    QTest::newRow("port too big") << QStringLiteral("127.0.0.1:65536") << false << QString() << 0;
    QTest::newRow("no port") << QStringLiteral("127.0.0.1") << false << QString() << 0;
    QTest::newRow("empty port") << QStringLiteral("127.0.0.1:") << false << QString() << 0;
    QTest::newRow("no host") << QStringLiteral(":8080") << false << QString() << 0;
    QTest::newRow("bare ipv6") << QStringLiteral("::1:8080") << false << QString() << 0;
    QTest::newRow("bad ipv4") << QStringLiteral("256.0.0.1:80") << false << QString() << 0;
    QTest::newRow("short ipv4") << QStringLiteral("127.1:80") << false << QString() << 0;
    QTest::newRow("bad ipv6") << QStringLiteral("[::1::2]:80") << false << QString() << 0;
    QTest::newRow("ipv6 no port") << QStringLiteral("[::1]") << false << QString() << 0;
    QTest::newRow("space") << QStringLiteral("local host:80") << false << QString() << 0;
    QTest::newRow("sign") << QStringLiteral("localhost:+80") << false << QString() << 0;
}

void TestUnits::hostPort()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, host);
    QFETCH(int, port);
    QString error;
    const auto parsed = parseHostPort(text, &error);
    QCOMPARE(parsed.has_value(), valid);
    if (!valid) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QCOMPARE(parsed->host, host);
    QCOMPARE(int(parsed->port), port);
    QCOMPARE(formatHostPort(*parsed), text);
}

void TestUnits::targetUrl_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("scheme"); // empty: invalid
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("http") << QStringLiteral("http://127.0.0.1:8001") << QStringLiteral("http") << QStringLiteral("127.0.0.1") << 8001;
    QTest::newRow("https name") << QStringLiteral("https://users.internal:443") << QStringLiteral("https") << QStringLiteral("users.internal") << 443;
    QTest::newRow("ipv6") << QStringLiteral("http://[::1]:9000") << QStringLiteral("http") << QStringLiteral("::1") << 9000;
    QTest::newRow("no port") << QStringLiteral("http://127.0.0.1") << QString() << QString() << 0;
    QTest::newRow("port 0") << QStringLiteral("http://127.0.0.1:0") << QString() << QString() << 0;
    QTest::newRow("path") << QStringLiteral("http://127.0.0.1:1/api") << QString() << QString() << 0;
    QTest::newRow("trailing slash") << QStringLiteral("http://127.0.0.1:1/") << QString() << QString() << 0;
    QTest::newRow("query") << QStringLiteral("http://127.0.0.1:1?a=b") << QString() << QString() << 0;
    QTest::newRow("user info") << QStringLiteral("http://u:p@127.0.0.1:1") << QString() << QString() << 0;
    QTest::newRow("scheme") << QStringLiteral("ws://127.0.0.1:1") << QString() << QString() << 0;
    QTest::newRow("no scheme") << QStringLiteral("127.0.0.1:1") << QString() << QString() << 0;
    QTest::newRow("no host") << QStringLiteral("http://:80") << QString() << QString() << 0;
}

void TestUnits::targetUrl()
{
    QFETCH(QString, text);
    QFETCH(QString, scheme);
    QFETCH(QString, host);
    QFETCH(int, port);
    QString error;
    const auto target = parseTargetUrl(text, &error);
    QCOMPARE(target.has_value(), !scheme.isEmpty());
    if (!target) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QCOMPARE(target->url, text);
    QCOMPARE(target->scheme, scheme);
    QCOMPARE(target->host, host);
    QCOMPARE(int(target->port), port);
    QCOMPARE(target->weight, 1);
}

void TestUnits::secretRef_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind"); // SecretRef::Kind; None = invalid
    QTest::addColumn<QString>("name");
    QTest::newRow("keychain") << QStringLiteral("keychain:gatehouse-admin") << int(SecretRef::Kind::Keychain) << QStringLiteral("gatehouse-admin");
    QTest::newRow("env") << QStringLiteral("env:JWT_SECRET") << int(SecretRef::Kind::Env) << QStringLiteral("JWT_SECRET");
    QTest::newRow("file") << QStringLiteral("file:keys/a b.pem") << int(SecretRef::Kind::File) << QStringLiteral("keys/a b.pem");
    QTest::newRow("literal") << QStringLiteral("hunter2") << int(SecretRef::Kind::None) << QString();
    QTest::newRow("empty") << QString() << int(SecretRef::Kind::None) << QString();
    QTest::newRow("env empty") << QStringLiteral("env:") << int(SecretRef::Kind::None) << QString();
    QTest::newRow("env bad") << QStringLiteral("env:A-B") << int(SecretRef::Kind::None) << QString();
    QTest::newRow("keychain blank") << QStringLiteral("keychain:  ") << int(SecretRef::Kind::None) << QString();
    QTest::newRow("upper prefix") << QStringLiteral("ENV:X") << int(SecretRef::Kind::None) << QString();
}

void TestUnits::secretRef()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(QString, name);
    QString error;
    const auto ref = parseSecretRef(text, &error);
    if (SecretRef::Kind(kind) == SecretRef::Kind::None) {
        QVERIFY(!ref);
        QVERIFY(!error.isEmpty());
        return;
    }
    QVERIFY(ref);
    QCOMPARE(int(ref->kind), kind);
    QCOMPARE(ref->name, name);
    QCOMPARE(formatSecretRef(*ref), text);
}

void TestUnits::loopback_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("loopback");
    QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1") << true;
    QTest::newRow("127.1.2.3") << QStringLiteral("127.1.2.3") << true;
    QTest::newRow("::1") << QStringLiteral("::1") << true;
    QTest::newRow("localhost") << QStringLiteral("localhost") << true;
    QTest::newRow("0.0.0.0") << QStringLiteral("0.0.0.0") << false;
    QTest::newRow("::") << QStringLiteral("::") << false;
    QTest::newRow("lan") << QStringLiteral("192.168.1.2") << false;
    QTest::newRow("127.example.com") << QStringLiteral("127.example.com") << false;
}

void TestUnits::loopback()
{
    QFETCH(QString, host);
    QFETCH(bool, loopback);
    QCOMPARE(isLoopbackHost(host), loopback);
}

QTEST_APPLESS_MAIN(TestUnits)
#include "TestUnits.moc"
