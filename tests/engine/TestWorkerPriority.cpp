// Gateway::setWorkerNiceness: the workers run at the nice value asked for, the calling thread
// (the app's GUI thread) keeps its own. Read back from /proc, as `ps -L` would show it.

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"

using namespace gatehouse;

namespace {

// Field 19 of a stat file: the nice value.
int niceness(const QString &statPath)
{
    QFile stat(statPath);
    if (!stat.open(QIODevice::ReadOnly)) {
        return -100;
    }
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' '); // from field 3 on
    return fields.value(19 - 3).toInt();
}

// The nice value of each thread named `name`.
QList<int> nicenessOf(const QByteArray &name)
{
    QList<int> values;
    const QStringList tasks = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &tid : tasks) {
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(tid));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == name) {
            values.append(niceness(QStringLiteral("/proc/self/task/%1/stat").arg(tid)));
        }
    }
    return values;
}

} // namespace

class TestWorkerPriority : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void workersRunAtTheNicenessAskedFor();
};

void TestWorkerPriority::workersRunAtTheNicenessAskedFor()
{
    const profile::ReadResult read = profile::readProfile("gatehouse: 1\nlisten: [{ bind: 127.0.0.1:0 }]\n", QStringLiteral("<nice>"), QString());
    QVERIFY(read.ok());
    engine::Gateway gateway;
    gateway.setWorkerNiceness(3);
    QVERIFY(gateway.start(*read.profile));
    QTRY_VERIFY_WITH_TIMEOUT(!nicenessOf("gatehouse-worke").isEmpty(), 2000);
    for (const int niceness : nicenessOf("gatehouse-worke")) {
        QCOMPARE(niceness, 3);
    }
    for (const int niceness : nicenessOf("gatehouse-healt")) {
        QCOMPARE(niceness, 0); // network waits, no load: left alone
    }
    QCOMPARE(niceness(QStringLiteral("/proc/self/stat")), 0); // this (the GUI's) thread
    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(1));
    QVERIFY(stopped.wait(5000));
}

QTEST_GUILESS_MAIN(TestWorkerPriority)
#include "TestWorkerPriority.moc"
