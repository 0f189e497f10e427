// The Logs view: messages logged on any thread (the engine's workers and health thread) reach the
// model in batches; the ring keeps the newest; the level and text filters work through the real
// widgets; and a real engine's health change shows up there.

#include <thread>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QTableView>
#include <QTest>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/UiTestSupport.h"
#include "ui/logs/LogCapture.h"
#include "ui/logs/LogModel.h"
#include "ui/logs/LogView.h"

using namespace gatehouse;
using gatehouse::ui::LogEntry;
using gatehouse::ui::LogModel;

Q_LOGGING_CATEGORY(lcTestEngine, "gatehouse.engine.test", QtInfoMsg)

namespace {


bool modelHas(const LogModel &model, const QString &text)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.entry(row).message.contains(text)) {
            return true;
        }
    }
    return false;
}

} // namespace

class TestLogView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void messagesFromOtherThreadsArrive();
    void ringKeepsTheNewest();
    void filtersThroughTheWidgets();
    void engineHealthChangesAreLogged();
};

void TestLogView::messagesFromOtherThreadsArrive()
{
    LogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ui::LogCapture capture;
    connect(&capture, &ui::LogCapture::batch, &model, &LogModel::appendBatch);
    std::thread worker([] {
        for (int i = 0; i < 50; ++i) {
            qCWarning(lcTestEngine) << "worker message" << i;
        }
    });
    worker.join();
    qCInfo(lcTestEngine) << "main thread message";
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 51, 3000);
    QCOMPARE(model.entry(0).category, QStringLiteral("gatehouse.engine.test"));
    QCOMPARE(model.entry(0).level, QtWarningMsg);
    QCOMPARE(model.data(model.index(0, LogModel::Category)).toString(), QStringLiteral("test"));
    QCOMPARE(model.data(model.index(50, LogModel::Level)).toString(), QStringLiteral("info"));
    QVERIFY(modelHas(model, QStringLiteral("worker message 49")));
}

void TestLogView::ringKeepsTheNewest()
{
    LogModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<LogEntry> entries;
    for (int i = 0; i < 5; ++i) {
        entries.append({ QDateTime::currentDateTime(), QtInfoMsg, QStringLiteral("gatehouse.x"), QString::number(i) });
    }
    model.appendBatch(entries.mid(0, 2));
    model.appendBatch(entries.mid(2));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.entry(0).message, QStringLiteral("2"));
    QCOMPARE(model.entry(2).message, QStringLiteral("4"));
}

void TestLogView::filtersThroughTheWidgets()
{
    LogModel model;
    ui::LogView view(&model);
    view.show();
    model.appendBatch({ { QDateTime::currentDateTime(), QtInfoMsg, QStringLiteral("gatehouse.engine.gateway"), QStringLiteral("profile applied") },
                        { QDateTime::currentDateTime(), QtWarningMsg, QStringLiteral("gatehouse.engine.upstream"), QStringLiteral("target ejected") },
                        { QDateTime::currentDateTime(), QtDebugMsg, QStringLiteral("gatehouse.engine.proxy"), QStringLiteral("connect failed") },
                        { QDateTime::currentDateTime(), QtCriticalMsg, QStringLiteral("gatehouse.engine.redis"), QStringLiteral("store down") } });
    auto *table = view.findChild<QTableView *>(QStringLiteral("logTable"));
    auto *level = view.findChild<QComboBox *>(QStringLiteral("logLevel"));
    auto *text = view.findChild<QLineEdit *>(QStringLiteral("logFilter"));
    QVERIFY(table && level && text);
    QAbstractItemModelTester tester(table->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(table->model()->rowCount(), 3); // debug hidden by default
    level->setCurrentIndex(0);
    QCOMPARE(table->model()->rowCount(), 4);
    level->setCurrentIndex(2);
    QCOMPARE(table->model()->rowCount(), 2);
    QTest::keyClicks(text, QStringLiteral("EJECT"));
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, LogModel::Message).data().toString(), QStringLiteral("target ejected"));
    text->clear();
    QTest::keyClicks(text, QStringLiteral("redis")); // the source matches too
    QCOMPARE(table->model()->rowCount(), 1);
}

void TestLogView::engineHealthChangesAreLogged()
{
    const quint16 deadPort = test::closedLoopbackPort();
    QVERIFY(deadPort != 0);
    const profile::ReadResult read = profile::readProfile(test::unhealthyPoolProfile("logs", deadPort), QStringLiteral("<logs>"), QString());
    QVERIFY(read.ok());

    LogModel model;
    ui::LogCapture capture;
    connect(&capture, &ui::LogCapture::batch, &model, &LogModel::appendBatch);
    engine::Gateway gateway;
    QVERIFY(gateway.start(*read.profile));
    // The health thread logs the change; it reaches the view's model on this thread.
    QTRY_VERIFY_WITH_TIMEOUT(modelHas(model, QStringLiteral("is unhealthy")), 5000);
    QVERIFY(modelHas(model, QStringLiteral("running with")));

    QVERIFY(test::stopGateway(gateway));
}

QTEST_MAIN(TestLogView)
#include "TestLogView.moc"
