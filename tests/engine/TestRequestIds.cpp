#include <QSet>
#include <QTest>

#include "engine/pipeline/RequestIds.h"

using namespace gatehouse::engine;

class TestRequestIds : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sanity_data();
    void sanity();
    void generatedIdsAreSaneAndDistinct();
    void traceparentContinues();
    void traceparentStartsOnGarbage_data();
    void traceparentStartsOnGarbage();
};

void TestRequestIds::sanity_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<bool>("sane");
    QTest::newRow("uuid") << QByteArray("123e4567-e89b-12d3-a456-426614174000") << true;
    QTest::newRow("all allowed") << QByteArray("aZ09._:-") << true;
    QTest::newRow("128") << QByteArray(128, 'a') << true;
    QTest::newRow("129") << QByteArray(129, 'a') << false;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("space") << QByteArray("a b") << false;
    QTest::newRow("slash") << QByteArray("a/b") << false;
    QTest::newRow("quote") << QByteArray("a\"b") << false;
    QTest::newRow("newline") << QByteArray("a\nb") << false;
    QTest::newRow("utf8") << QByteArray("caf\xc3\xa9") << false;
}

void TestRequestIds::sanity()
{
    QFETCH(QByteArray, id);
    QFETCH(bool, sane);
    QCOMPARE(isSaneRequestId(id), sane);
}

void TestRequestIds::generatedIdsAreSaneAndDistinct()
{
    QSet<QByteArray> seen;
    for (int i = 0; i < 1000; ++i) {
        const QByteArray id = newRequestId();
        QCOMPARE(id.size(), 32);
        QVERIFY(isSaneRequestId(id));
        seen.insert(id);
    }
    QCOMPARE(seen.size(), 1000);
}

void TestRequestIds::traceparentContinues()
{
    const QByteArray incoming("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    const QByteArray next = nextTraceparent(incoming);
    QCOMPARE(next.size(), 55);
    QCOMPARE(next.left(36), incoming.left(36));
    QVERIFY(next.mid(36, 16) != incoming.mid(36, 16));
    QCOMPARE(next.right(3), QByteArray("-01"));
}

void TestRequestIds::traceparentStartsOnGarbage_data()
{
    QTest::addColumn<QByteArray>("incoming");
    QTest::newRow("absent") << QByteArray();
    QTest::newRow("zero trace") << QByteArray("00-00000000000000000000000000000000-00f067aa0ba902b7-01");
    QTest::newRow("upper hex") << QByteArray("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01");
    QTest::newRow("version ff") << QByteArray("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    QTest::newRow("short") << QByteArray("00-4bf92f35-00f067aa0ba902b7-01");
}

void TestRequestIds::traceparentStartsOnGarbage()
{
    QFETCH(QByteArray, incoming);
    const QByteArray next = nextTraceparent(incoming);
    QCOMPARE(next.size(), 55);
    QVERIFY(next.startsWith("00-"));
    QVERIFY(next.endsWith("-01"));
    if (incoming.size() >= 35) {
        QVERIFY(next.mid(3, 32) != incoming.mid(3, 32));
    }
}

QTEST_APPLESS_MAIN(TestRequestIds)
#include "TestRequestIds.moc"
