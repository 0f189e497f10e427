// The request history ring (newest first, bounded, wrapping, filters) and the header archive its
// entries point into (stored without allocating, read back across the wrap, gone once written over).

#include <QTest>

#include "engine/core/RequestHistory.h"
#include "engine/http/HttpMessage.h"
#include "engine/traffic/CaptureArchive.h"

using namespace gatehouse::engine;

namespace {

TrafficEvent traffic(int n, const QString &route, int status)
{
    TrafficEvent e;
    e.requestId = "r" + QByteArray::number(n);
    e.route = route;
    e.status = status;
    return e;
}

QList<QByteArray> ids(const QList<TrafficEvent> &events)
{
    QList<QByteArray> out;
    for (const TrafficEvent &e : events) {
        out.append(e.requestId);
    }
    return out;
}

} // namespace

class TestRequestHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newestFirstAndBounded();
    void filters();
    void captureArchiveKeepsRecentHeaders();
    void captureArchiveKeepsBodies();
};

void TestRequestHistory::newestFirstAndBounded()
{
    RequestHistory history(3);
    QVERIFY(history.query({}).isEmpty());
    history.append({ traffic(1, QStringLiteral("a"), 200), traffic(2, QStringLiteral("a"), 200) });
    QCOMPARE(ids(history.query({})), (QList<QByteArray> { "r2", "r1" }));
    history.append({ traffic(3, QStringLiteral("a"), 200), traffic(4, QStringLiteral("a"), 200), traffic(5, QStringLiteral("a"), 200) });
    QCOMPARE(history.size(), 3);
    QCOMPARE(ids(history.query({})), (QList<QByteArray> { "r5", "r4", "r3" }));
    RequestQuery two;
    two.limit = 2;
    QCOMPARE(ids(history.query(two)), (QList<QByteArray> { "r5", "r4" }));
    for (int i = 6; i < 1006; ++i) {
        history.append({ traffic(i, QStringLiteral("a"), 200) });
    }
    QCOMPARE(ids(history.query({})), (QList<QByteArray> { "r1005", "r1004", "r1003" }));
}

void TestRequestHistory::filters()
{
    RequestHistory history;
    history.append({ traffic(1, QStringLiteral("users"), 200), traffic(2, QStringLiteral("orders"), 404),
                     traffic(3, QStringLiteral("users"), 502), traffic(4, QStringLiteral("users"), 503) });
    RequestQuery query;
    query.route = QStringLiteral("users");
    QCOMPARE(ids(history.query(query)), (QList<QByteArray> { "r4", "r3", "r1" }));
    query = {};
    query.status = "5xx";
    QCOMPARE(ids(history.query(query)), (QList<QByteArray> { "r4", "r3" }));
    query.status = "404";
    QCOMPARE(ids(history.query(query)), (QList<QByteArray> { "r2" }));
    query = {};
    query.requestId = "r3";
    QCOMPARE(ids(history.query(query)), (QList<QByteArray> { "r3" }));
    query.route = QStringLiteral("orders");
    QVERIFY(history.query(query).isEmpty()); // every filter must hold
}

void TestRequestHistory::captureArchiveKeepsRecentHeaders()
{
    CaptureArchive archive;
    const QList<gatehouse::engine::http::Header> head { { "Host", "localhost" }, { "X-Trace", "t-1" } };
    const CaptureArchive::Ref first = archive.storeHeaders(head);
    QCOMPARE(archive.load(first).value_or(QByteArray()), QByteArray("Host: localhost\r\nX-Trace: t-1\r\n"));
    QVERIFY(!archive.load(CaptureArchive::Ref {})); // nothing stored
    QCOMPARE(archive.storeHeaders(QList<gatehouse::engine::http::Header> {}).start, qint64(-1));
    // A head larger than a sixteenth of the ring is not kept.
    const QByteArray huge(CaptureArchive::kCapacity / 8, 'x');
    QCOMPARE(archive.storeHeaders(QList<gatehouse::engine::http::Header> { { "X-Huge", huge } }).start, qint64(-1));

    // Fill the ring past its end: the first entry is gone, one that straddles the wrap reads whole.
    const QByteArray value(1000, 'v');
    CaptureArchive::Ref straddling;
    qint64 written = first.length;
    while (written < CaptureArchive::kCapacity + 5000) {
        const CaptureArchive::Ref ref = archive.storeHeaders(QList<gatehouse::engine::http::Header> { { "X-Fill", value } });
        if (ref.start / CaptureArchive::kCapacity != (ref.start + ref.length - 1) / CaptureArchive::kCapacity) {
            straddling = ref;
        }
        written += ref.length;
    }
    QVERIFY(!archive.load(first));
    QVERIFY(straddling.start > 0);
    QCOMPARE(archive.load(straddling).value_or(QByteArray()), "X-Fill: " + value + "\r\n");
}

void TestRequestHistory::captureArchiveKeepsBodies()
{
    CaptureArchive archive;
    QByteArray body(70'000, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i) {
        body[i] = char(i * 7 % 256); // binary, NULs included
    }
    const CaptureArchive::Ref ref = archive.store(QByteArrayView(body));
    QCOMPARE(archive.load(ref).value_or(QByteArray()), body);
    QCOMPARE(archive.store(QByteArrayView(QByteArray(CaptureArchive::kLargestEntry + 1, 'b'))).start, qint64(-1));
    // Bodies and headers share the ring; a body across the wrap reads whole.
    CaptureArchive::Ref straddling;
    for (qint64 written = ref.length; written < CaptureArchive::kCapacity + body.size();) {
        const CaptureArchive::Ref next = archive.store(QByteArrayView(body));
        if (next.start / CaptureArchive::kCapacity != (next.start + next.length - 1) / CaptureArchive::kCapacity) {
            straddling = next;
        }
        written += next.length;
    }
    QVERIFY(!archive.load(ref));
    QVERIFY(straddling.start > 0);
    QCOMPARE(archive.load(straddling).value_or(QByteArray()), body);
}

QTEST_GUILESS_MAIN(TestRequestHistory)
#include "TestRequestHistory.moc"
