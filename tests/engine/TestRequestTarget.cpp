#include <QTest>

#include "engine/pipeline/RequestTarget.h"

using gatehouse::engine::parseRequestTarget;

class TestRequestTarget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
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

QTEST_APPLESS_MAIN(TestRequestTarget)
#include "TestRequestTarget.moc"
