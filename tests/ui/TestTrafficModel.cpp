// The traffic table's models: the bounded ring (one insert per batch, oldest rows trimmed), pause,
// clear, what each column shows, and the filter, all under QAbstractItemModelTester.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "ui/traffic/TrafficFilterModel.h"
#include "ui/traffic/TrafficModel.h"

using gatehouse::engine::TrafficEvent;
using gatehouse::ui::TrafficFilterModel;
using gatehouse::ui::TrafficModel;

namespace {

TrafficEvent request(int n, const QByteArray &method = "GET", int status = 200, const QString &route = QStringLiteral("users"))
{
    TrafficEvent e;
    e.timeMs = 1'700'000'000'000 + n;
    e.requestId = "req-" + QByteArray::number(n);
    e.method = method;
    e.host = "localhost:8080";
    e.path = "/api/users/" + QByteArray::number(n);
    e.route = route;
    e.target = QStringLiteral("http://127.0.0.1:8001");
    e.status = status;
    e.totalMs = n / 10.0;
    e.bytesOut = 100 + n;
    return e;
}

QList<TrafficEvent> batch(int from, int count)
{
    QList<TrafficEvent> events;
    for (int i = from; i < from + count; ++i) {
        events.append(request(i));
    }
    return events;
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

} // namespace

class TestTrafficModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ringKeepsTheNewest();
    void oversizedBatchKeepsItsNewest();
    void columnsShowTheRequest();
    void pauseHoldsTheTableStill();
    void clearEmptiesIt();
    void filtersByTextRouteStatusAndMethod();
    void manyBatchesUnderTheTester();
    void rowsSpanBatchesOfEverySize();
    void keepsTheEnginesListsUncopied();
    void largeBatchesGoInOverSeveralTurns();
};

void TestTrafficModel::ringKeepsTheNewest()
{
    TrafficModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.appendBatch(batch(0, 3));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.size(), 1); // one batch, one insert
    model.appendBatch(batch(3, 4));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.last().at(1).toInt(), 0);
    QCOMPARE(removed.last().at(2).toInt(), 1); // the two oldest went
    QCOMPARE(model.event(0).requestId, QByteArray("req-2"));
    QCOMPARE(model.event(4).requestId, QByteArray("req-6"));
}

void TestTrafficModel::oversizedBatchKeepsItsNewest()
{
    TrafficModel model(4);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendBatch(batch(0, 2));
    model.appendBatch(batch(2, 10));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.event(0).requestId, QByteArray("req-8"));
    QCOMPARE(model.event(3).requestId, QByteArray("req-11"));
}

void TestTrafficModel::columnsShowTheRequest()
{
    TrafficModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    TrafficEvent e = request(42, "POST", 503);
    e.totalMs = 1234.4;
    e.bytesOut = 5 * 1024 * 1024;
    model.appendBatch({ e });
    QCOMPARE(cell(model, 0, TrafficModel::Method), QStringLiteral("POST"));
    QCOMPARE(cell(model, 0, TrafficModel::Host), QStringLiteral("localhost:8080"));
    QCOMPARE(cell(model, 0, TrafficModel::Path), QStringLiteral("/api/users/42"));
    QCOMPARE(cell(model, 0, TrafficModel::Route), QStringLiteral("users"));
    QCOMPARE(cell(model, 0, TrafficModel::Target), QStringLiteral("http://127.0.0.1:8001"));
    QCOMPARE(cell(model, 0, TrafficModel::Status), QStringLiteral("503"));
    QCOMPARE(cell(model, 0, TrafficModel::Duration), QStringLiteral("1234 ms"));
    QVERIFY2(cell(model, 0, TrafficModel::Size).startsWith(QStringLiteral("5")), qPrintable(cell(model, 0, TrafficModel::Size)));
    QCOMPARE(model.data(model.index(0, TrafficModel::Duration), TrafficModel::SortRole).toDouble(), 1234.4);
    QCOMPARE(model.data(model.index(0, TrafficModel::Size), TrafficModel::SortRole).toLongLong(), 5LL * 1024 * 1024);
    // 5xx and 2xx are told apart by colour.
    model.appendBatch({ request(43) });
    QVERIFY(model.data(model.index(0, TrafficModel::Status), Qt::ForegroundRole)
            != model.data(model.index(1, TrafficModel::Status), Qt::ForegroundRole));
    QCOMPARE(model.headerData(TrafficModel::Status, Qt::Horizontal).toString(), QStringLiteral("Status"));
}

void TestTrafficModel::pauseHoldsTheTableStill()
{
    TrafficModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendBatch(batch(0, 3));
    model.setPaused(true);
    model.appendBatch(batch(3, 5));
    model.appendBatch(batch(8, 2));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.droppedWhilePaused(), 7);
    model.setPaused(false);
    model.appendBatch(batch(10, 1));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.event(3).requestId, QByteArray("req-10"));
}

void TestTrafficModel::clearEmptiesIt()
{
    TrafficModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendBatch(batch(0, 5));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    model.appendBatch(batch(5, 2));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.event(0).requestId, QByteArray("req-5"));
}

void TestTrafficModel::filtersByTextRouteStatusAndMethod()
{
    TrafficModel model;
    TrafficFilterModel filter(&model);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendBatch({ request(1, "GET", 200, QStringLiteral("users")), request(2, "POST", 201, QStringLiteral("orders")),
                        request(3, "GET", 404, QStringLiteral("users")), request(4, "DELETE", 503, QStringLiteral("orders")) });
    QCOMPARE(filter.rowCount(), 4);
    filter.setRoute(QStringLiteral("orders"));
    QCOMPARE(filter.rowCount(), 2);
    filter.setStatusClass(5);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(cell(filter, 0, TrafficModel::Method), QStringLiteral("DELETE"));
    filter.setRoute({});
    filter.setStatusClass(0);
    filter.setMethod(QStringLiteral("get"));
    QCOMPARE(filter.rowCount(), 2);
    filter.setMethod({});
    filter.setText(QStringLiteral("USERS/3")); // case-insensitive, on the path
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(cell(filter, 0, TrafficModel::Status), QStringLiteral("404"));
    filter.setText(QStringLiteral("req-2")); // the request id
    QCOMPARE(filter.rowCount(), 1);
    filter.setText(QStringLiteral("503"));
    QCOMPARE(filter.rowCount(), 1);
    filter.setText({});
    // New rows pass through the filter as they arrive; sorting by duration uses numbers.
    filter.setStatusClass(2);
    model.appendBatch({ request(100, "GET", 204), request(5, "GET", 500) });
    QCOMPARE(filter.rowCount(), 3);
    filter.sort(TrafficModel::Duration, Qt::DescendingOrder);
    QCOMPARE(cell(filter, 0, TrafficModel::Path), QStringLiteral("/api/users/100"));
}

void TestTrafficModel::manyBatchesUnderTheTester()
{
    TrafficModel model(1000);
    TrafficFilterModel filter(&model);
    filter.setStatusClass(2);
    QAbstractItemModelTester sourceTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int b = 0; b < 40; ++b) {
        QList<TrafficEvent> events;
        for (int i = 0; i < 250; ++i) {
            const int n = b * 250 + i;
            events.append(request(n, "GET", n % 3 == 0 ? 500 : 200));
        }
        model.appendBatch(events);
    }
    QCOMPARE(model.rowCount(), 1000);
    QCOMPARE(model.event(999).requestId, QByteArray("req-9999"));
    QCOMPARE(filter.rowCount(), 666); // of 9000..9999, those not divisible by 3
}

// Rows map to the right request whatever the batches' sizes: single requests (a quiet gateway),
// uneven ones, and the front batch only partly still shown.
void TestTrafficModel::rowsSpanBatchesOfEverySize()
{
    TrafficModel model(7);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    int next = 0;
    for (const int size : { 1, 1, 3, 1, 5, 2, 1, 1, 6, 1 }) {
        model.appendBatch(batch(next, size));
        next += size;
        const int rows = model.rowCount();
        QCOMPARE(rows, std::min(next, 7));
        for (int row = 0; row < rows; ++row) {
            QCOMPARE(model.event(row).requestId, "req-" + QByteArray::number(next - rows + row));
        }
    }
    QCOMPARE(cell(model, 6, TrafficModel::Path), QStringLiteral("/api/users/21"));
}

// The model holds the engine's batch itself: the event it shows is the one in the engine's list.
void TestTrafficModel::keepsTheEnginesListsUncopied()
{
    TrafficModel model(10);
    const QList<TrafficEvent> events = batch(0, 4);
    model.appendBatch(events);
    QCOMPARE(&model.event(2), &events.at(2));
}

// 2,000 rows per event-loop turn: a large batch, and one that comes meanwhile, go in in order.
void TestTrafficModel::largeBatchesGoInOverSeveralTurns()
{
    TrafficModel model(6000);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.appendBatch(batch(0, 5000));
    QCOMPARE(model.rowCount(), 2000);
    model.appendBatch(batch(5000, 3));
    QCOMPARE(model.rowCount(), 2000); // waits its turn behind the rest of the first
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 5003, 2000);
    QCOMPARE(inserted.size(), 4); // 2000 + 2000 + (1000 + 3)
    for (const int row : { 0, 1999, 2000, 4999, 5000, 5002 }) {
        QCOMPARE(model.event(row).requestId, "req-" + QByteArray::number(row));
    }
    model.appendBatch(batch(5003, 4000)); // past the capacity: the oldest go, in steps too
    QTRY_COMPARE_WITH_TIMEOUT(model.event(model.rowCount() - 1).requestId, QByteArray("req-9002"), 2000);
    QCOMPARE(model.rowCount(), 6000);
    QCOMPARE(model.event(0).requestId, QByteArray("req-3003"));
}

QTEST_GUILESS_MAIN(TestTrafficModel)
#include "TestTrafficModel.moc"
