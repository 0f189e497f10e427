// Access logs of `gatehouse serve`: the profile's `access_log` file rotates at `max_size` and
// keeps `keep` old files, with whole JSON lines; and a stdout nobody reads (a full pipe) costs
// log lines, never requests or new connections.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

const QByteArray kProfile = R"(gatehouse: 1
name: logs
listen: [{ bind: 127.0.0.1:0 }]
access_log: { file: logs/access.jsonl, max_size: 2KiB, keep: 2 }
routes:
  - { name: hello, match: { path: / }, respond: { status: 200, body: hi } }
)";

QList<QByteArray> linesOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty()) {
        lines.removeLast();
    }
    return lines;
}

} // namespace

class TestAccessLogFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rotatesAndKeeps();
    void unreadStdoutNeverStallsTraffic();

private:
    QTemporaryDir m_dir;
};

void TestAccessLogFiles::rotatesAndKeeps()
{
    QVERIFY(m_dir.isValid());
    GatehouseProcess gateway;
    QVERIFY2(startServeWithAccessLog(gateway, writeFile(m_dir, QStringLiteral("logs.yaml"), kProfile), m_dir.filePath(QStringLiteral("stdout.jsonl"))),
             gateway.stderrText().constData());
    RawConnection connection;
    QVERIFY(connection.open(gateway.port()));
    QByteArray lastId;
    for (int i = 0; i < 60; ++i) {
        const auto response = connection.roundTrip("GET", "/?n=" + QByteArray::number(i));
        QVERIFY(response && response->status == 200);
        lastId = response->header("x-request-id");
    }
    QCOMPARE(gateway.terminate(), 0); // drains, and the writers flush on the way out

    const QString log = m_dir.filePath(QStringLiteral("logs/access.jsonl"));
    QVERIFY(QFile::exists(log));
    QVERIFY(QFile::exists(log + QStringLiteral(".1")));
    QVERIFY(QFile::exists(log + QStringLiteral(".2")));
    QVERIFY(!QFile::exists(log + QStringLiteral(".3")));
    qsizetype kept = 0;
    for (const QString &path : { log + QStringLiteral(".2"), log + QStringLiteral(".1"), log }) {
        QVERIFY(QFileInfo(path).size() <= 2048);
        for (const QByteArray &line : linesOf(path)) {
            QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
            ++kept;
        }
    }
    QVERIFY(kept > 6 && kept < 60); // three files' worth, not everything
    QVERIFY(linesOf(log).last().contains(lastId));
    // stdout got every line.
    QCOMPARE(linesOf(m_dir.filePath(QStringLiteral("stdout.jsonl"))).size(), 60);
}

void TestAccessLogFiles::unreadStdoutNeverStallsTraffic()
{
    // stdout is a pipe this test never reads: it fills after a few hundred lines.
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(writeFile(m_dir, QStringLiteral("pipe.yaml"), kProfile)), gateway.stderrText().constData());
    RawConnection connection;
    QVERIFY(connection.open(gateway.port()));
    // Far more lines than a pipe holds (64 KiB: about 300 of them). Counted, not timed: a loaded
    // machine (ASan, parallel tests) serves fewer per second. Bounded all the same.
    QElapsedTimer timer;
    timer.start();
    int sent = 0;
    while (sent < 1500 && timer.elapsed() < 30000) {
        const auto response = connection.roundTrip("GET", "/");
        QVERIFY2(response && response->status == 200, qPrintable(QStringLiteral("request %1").arg(sent)));
        ++sent;
    }
    QCOMPARE(sent, 1500);
    // New connections are accepted on the thread that hands lines to the log: still served.
    // (No event loop runs here, so nothing drains the pipe meanwhile.)
    RawConnection fresh;
    QVERIFY(fresh.open(gateway.port()));
    const auto response = fresh.roundTrip("GET", "/");
    QVERIFY(response && response->status == 200);
}

QTEST_GUILESS_MAIN(TestAccessLogFiles)
#include "TestAccessLogFiles.moc"
