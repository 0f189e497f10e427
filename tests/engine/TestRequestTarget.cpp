#include <QTest>

#include "engine/pipeline/RequestTarget.h"

using gatehouse::engine::parseRequestTarget;

class TestRequestTarget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void badPaths_data();
    void badPaths();
    void semicolonsWhenAllowed();
    void absoluteFormPort();
    void normalisingIsIdempotent_data();
    void normalisingIsIdempotent();
};

void TestRequestTarget::parse_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("authority");

    QTest::newRow("root") << QByteArray("/") << true << QByteArray("/") << QByteArray() << QByteArray();
    QTest::newRow("query") << QByteArray("/a/b?x=1&y=2") << true << QByteArray("/a/b") << QByteArray("x=1&y=2") << QByteArray();
    QTest::newRow("empty query") << QByteArray("/a?") << true << QByteArray("/a") << QByteArray() << QByteArray();
    QTest::newRow("dot") << QByteArray("/a/./b") << true << QByteArray("/a/b") << QByteArray() << QByteArray();
    QTest::newRow("dotdot") << QByteArray("/public/../admin") << true << QByteArray("/admin") << QByteArray() << QByteArray();
    QTest::newRow("encoded dotdot") << QByteArray("/public/%2e%2E/admin") << true << QByteArray("/admin") << QByteArray() << QByteArray();
    QTest::newRow("mixed dotdot") << QByteArray("/public/.%2e/admin?q") << true << QByteArray("/admin") << QByteArray("q") << QByteArray();
    QTest::newRow("above root") << QByteArray("/../../etc/passwd") << true << QByteArray("/etc/passwd") << QByteArray() << QByteArray();
    QTest::newRow("trailing dotdot") << QByteArray("/a/b/..") << true << QByteArray("/a/") << QByteArray() << QByteArray();
    QTest::newRow("dotfile kept") << QByteArray("/.well-known/x") << true << QByteArray("/.well-known/x") << QByteArray() << QByteArray();
    QTest::newRow("dots in name kept") << QByteArray("/a/..b/c") << true << QByteArray("/a/..b/c") << QByteArray() << QByteArray();
    QTest::newRow("absolute") << QByteArray("http://localhost:8080/x?y") << true << QByteArray("/x") << QByteArray("y") << QByteArray("localhost:8080");
    QTest::newRow("absolute no path") << QByteArray("http://localhost") << true << QByteArray("/") << QByteArray() << QByteArray("localhost");
    QTest::newRow("absolute userinfo") << QByteArray("http://user@evil/") << false << QByteArray() << QByteArray() << QByteArray("user@evil");
    QTest::newRow("no slash") << QByteArray("index.html") << false << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("fragment") << QByteArray("/a#frag") << false << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("asterisk") << QByteArray("*") << false << QByteArray() << QByteArray() << QByteArray();
    QTest::newRow("slash run") << QByteArray("/a//b///c") << true << QByteArray("/a/b/c") << QByteArray() << QByteArray();
    QTest::newRow("leading slash run") << QByteArray("//evil.example/x") << true << QByteArray("/evil.example/x") << QByteArray() << QByteArray();
    QTest::newRow("trailing slash run") << QByteArray("/a//") << true << QByteArray("/a/") << QByteArray() << QByteArray();
    QTest::newRow("only slashes") << QByteArray("///") << true << QByteArray("/") << QByteArray() << QByteArray();
    QTest::newRow("unreserved decoded") << QByteArray("/%61%5A%30%2D%2e%5F%7E") << true << QByteArray("/aZ0-._~") << QByteArray() << QByteArray();
    QTest::newRow("reserved upper-cased") << QByteArray("/a%3fb%2a%c3%a9") << true << QByteArray("/a%3Fb%2A%C3%A9") << QByteArray() << QByteArray();
    QTest::newRow("decoded dot segment") << QByteArray("/a/%2E/b") << true << QByteArray("/a/b") << QByteArray() << QByteArray();
    QTest::newRow("decoded then merged") << QByteArray("/api/%61dmin//x") << true << QByteArray("/api/admin/x") << QByteArray() << QByteArray();
    QTest::newRow("query untouched") << QByteArray("/a//b?x=%2f;y") << true << QByteArray("/a/b") << QByteArray("x=%2f;y") << QByteArray();
    QTest::newRow("absolute normalised") << QByteArray("http://localhost:1//a/./b") << true << QByteArray("/a/b") << QByteArray() << QByteArray("localhost:1");
}

void TestRequestTarget::parse()
{
    QFETCH(QByteArray, target);
    QFETCH(bool, valid);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, authority);
    const auto parsed = parseRequestTarget(target);
    QCOMPARE(parsed.valid, valid);
    if (valid) {
        QCOMPARE(parsed.path, path);
        QCOMPARE(parsed.query, query);
        QCOMPARE(parsed.authority, authority);
    }
}

void TestRequestTarget::badPaths_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::newRow("encoded slash") << QByteArray("/a%2fb");
    QTest::newRow("encoded slash upper") << QByteArray("/a%2Fb");
    QTest::newRow("encoded backslash") << QByteArray("/a%5Cb");
    QTest::newRow("encoded nul") << QByteArray("/a%00");
    QTest::newRow("raw backslash") << QByteArray("/a\\b");
    QTest::newRow("semicolon") << QByteArray("/a;jsessionid=1/b");
    QTest::newRow("broken escape") << QByteArray("/a%g0");
    QTest::newRow("short escape") << QByteArray("/a%2");
    QTest::newRow("after dot segment") << QByteArray("/x/../a%2fb");
}

void TestRequestTarget::badPaths()
{
    QFETCH(QByteArray, target);
    const auto parsed = parseRequestTarget(target);
    QVERIFY(!parsed.valid);
    QVERIFY(parsed.badPath != nullptr);
}

void TestRequestTarget::semicolonsWhenAllowed()
{
    const auto parsed = parseRequestTarget("/a;v=1//b", { .allowSemicolons = true });
    QVERIFY(parsed.valid);
    QCOMPARE(parsed.path, QByteArray("/a;v=1/b"));
    QVERIFY(!parseRequestTarget("/a;v=1/%2f", { .allowSemicolons = true }).valid);
}

void TestRequestTarget::absoluteFormPort()
{
    QCOMPARE(parseRequestTarget("http://localhost:8080/x").port, 8080);
    QCOMPARE(parseRequestTarget("http://localhost/x").port, 80);
    QCOMPARE(parseRequestTarget("HTTPS://localhost?q").port, 443);
    QCOMPARE(parseRequestTarget("http://[::1]/").port, 80);
    QCOMPARE(parseRequestTarget("http://[::1]:9/").port, 9);
    QCOMPARE(parseRequestTarget("http://localhost:x/").port, -1);
    QCOMPARE(parseRequestTarget("/x").port, -1);
}

void TestRequestTarget::normalisingIsIdempotent_data()
{
    QTest::addColumn<QByteArray>("target");
    for (const char *target : { "/a/./b/../c//d/", "/%2e%2E/x/%41%2a", "/a/b/..", "//", "/.%2e/.", "/a%25%32%66b" }) {
        QTest::newRow(target) << QByteArray(target);
    }
}

void TestRequestTarget::normalisingIsIdempotent()
{
    QFETCH(QByteArray, target);
    const auto once = parseRequestTarget(target);
    QVERIFY(once.valid);
    const auto twice = parseRequestTarget(once.path);
    QVERIFY(twice.valid);
    QCOMPARE(twice.path, once.path);
}

QTEST_APPLESS_MAIN(TestRequestTarget)
#include "TestRequestTarget.moc"
