#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include "engine/log/AccessLogWriter.h"

using gatehouse::engine::AccessLogWriter;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 10s; // a generous bound for anything that should take milliseconds
constexpr qint64 kLineBytes = 50;

// {"n":00042,"pad":"xxx..."} and '\n': kLineBytes bytes, so rotation points are exact.
QByteArray fixedLine(int n)
{
    QByteArray line = "{\"n\":" + QByteArray::number(n).rightJustified(5, '0') + ",\"pad\":\"";
    line += QByteArray(kLineBytes - line.size() - 3, 'x');
    line += "\"}\n";
    Q_ASSERT(line.size() == kLineBytes);
    return line;
}

QList<QByteArray> fixedLines(int from, int to)
{
    QList<QByteArray> lines;
    for (int n = from; n < to; ++n) {
        lines.append(fixedLine(n));
    }
    return lines;
}

// The file's lines with their '\n'; a last line without one (torn) is kept as it is.
QList<QByteArray> readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray content = file.readAll();
    QList<QByteArray> lines;
    qsizetype start = 0;
    while (start < content.size()) {
        const qsizetype end = content.indexOf('\n', start);
        const qsizetype next = end < 0 ? content.size() : end + 1;
        lines.append(content.mid(start, next - start));
        start = next;
    }
    return lines;
}

// FILE.<count>, ..., FILE.1, FILE: oldest first.
QList<QByteArray> readRotated(const QString &path, int count)
{
    QList<QByteArray> lines;
    for (int i = count; i >= 1; --i) {
        lines += readLines(path + u'.' + QString::number(i));
    }
    lines += readLines(path);
    return lines;
}

QByteArray nativePath(const QString &path)
{
    return QFile::encodeName(path);
}

// Reads what the FIFO holds now, without waiting. True once the writer has closed it.
bool readAvailable(int fd, QByteArray &into)
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            into.append(buffer, n);
            continue;
        }
        return n == 0;
    }
}

// Keeps the writer's messages (from any thread) instead of printing them, so a test can count
// them; other messages go on to the test log.
class LogCapture final
{
public:
    LogCapture()
    {
        s_instance.store(this);
        m_previous = qInstallMessageHandler(&LogCapture::handle);
    }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous.load());
        s_instance.store(nullptr);
    }
    LogCapture(const LogCapture &) = delete;
    LogCapture &operator=(const LogCapture &) = delete;

    int count(QtMsgType type, const QString &pattern) const
    {
        const QRegularExpression re(pattern);
        const std::lock_guard lock(m_mutex);
        int matches = 0;
        for (const auto &[messageType, text] : m_messages) {
            matches += messageType == type && re.match(text).hasMatch() ? 1 : 0;
        }
        return matches;
    }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &text)
    {
        LogCapture *self = s_instance.load();
        if (self && context.category && qstrcmp(context.category, "gatehouse.engine.accesslog") == 0) {
            const std::lock_guard lock(self->m_mutex);
            self->m_messages.append({ type, text });
        } else if (const QtMessageHandler previous = self ? self->m_previous.load() : nullptr) {
            previous(type, context, text);
        }
    }

    static inline std::atomic<LogCapture *> s_instance { nullptr };
    std::atomic<QtMessageHandler> m_previous { nullptr };
    mutable std::mutex m_mutex;
    QList<std::pair<QtMsgType, QString>> m_messages;
};

} // namespace

class TestAccessLogWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsTheFolderAndKeepsOrder()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("logs/today/access.jsonl"));
        AccessLogWriter writer(path, 1024 * 1024, 5);
        QString error;
        QVERIFY2(writer.open(&error), qPrintable(error));
        for (int n = 0; n < 1000; ++n) {
            writer.append(fixedLine(n));
        }
        QVERIFY(writer.flush(kWait));
        QCOMPARE(writer.writtenLines(), quint64(1000));
        QCOMPARE(writer.droppedLines(), quint64(0));
        QCOMPARE(readLines(path), fixedLines(0, 1000));
        QVERIFY(writer.lastError().isEmpty());
        QVERIFY(writer.close(kWait));
        QVERIFY(!QFile::exists(path + QStringLiteral(".1")));
    }

    void appendsToAnExistingFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        {
            QFile earlier(path);
            QVERIFY(earlier.open(QIODevice::WriteOnly));
            earlier.write("{\"earlier\":true}\n");
        }
        {
            AccessLogWriter writer(path, 1024 * 1024, 5);
            QVERIFY(writer.open());
            writer.append("{\"no_newline\":true}");
            writer.append(fixedLine(1));
        } // the destructor drains the queue
        QCOMPARE(readLines(path),
                 (QList<QByteArray> { "{\"earlier\":true}\n", "{\"no_newline\":true}\n", fixedLine(1) }));
    }

    void rotation_data()
    {
        QTest::addColumn<int>("keep");
        // 1000-byte files of 20 lines; 510 lines make 25 full files and 10 lines in the current one.
        QTest::newRow("keep 0: truncated") << 0;
        QTest::newRow("keep 1") << 1;
        QTest::newRow("keep 3") << 3;
        QTest::newRow("keep more than made") << 40;
    }
    void rotation()
    {
        QFETCH(int, keep);
        constexpr int kLines = 510;
        constexpr int kPerFile = 20;
        constexpr int kFullFiles = 25;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        {
            AccessLogWriter writer(path, kPerFile * kLineBytes, keep);
            QVERIFY(writer.open());
            for (int n = 0; n < kLines; ++n) {
                writer.append(fixedLine(n));
            }
            QVERIFY(writer.flush(kWait));
            QCOMPARE(writer.writtenLines(), quint64(kLines));
            QCOMPARE(writer.droppedLines(), quint64(0));
            QVERIFY(writer.lastError().isEmpty());
        }
        const int oldFiles = std::min(keep, kFullFiles);
        for (int i = 1; i <= oldFiles; ++i) {
            const QString old = path + u'.' + QString::number(i);
            QVERIFY2(QFile::exists(old), qPrintable(old));
            QCOMPARE(QFileInfo(old).size(), kPerFile * kLineBytes);
        }
        QVERIFY(!QFile::exists(path + u'.' + QString::number(oldFiles + 1)));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), oldFiles + 1);
        // The files, oldest first, hold the newest lines in order, whole; nothing else.
        const int kept = oldFiles * kPerFile + (kLines - kFullFiles * kPerFile);
        QCOMPARE(readRotated(path, oldFiles), fixedLines(kLines - kept, kLines));
    }

    void aLineLongerThanMaxSizeGetsAFileOfItsOwn()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        const QByteArray longLine = "{\"path\":\"/" + QByteArray(300, 'a') + "\"}\n";
        {
            AccessLogWriter writer(path, 100, 5);
            QVERIFY(writer.open());
            writer.append("{\"first\":1}\n");
            writer.append(longLine);
            writer.append("{\"last\":1}\n");
        }
        QCOMPARE(readLines(path + QStringLiteral(".2")), QList<QByteArray> { "{\"first\":1}\n" });
        QCOMPARE(readLines(path + QStringLiteral(".1")), QList<QByteArray> { longLine });
        QCOMPARE(readLines(path), QList<QByteArray> { "{\"last\":1}\n" });
    }

    void aSymlinkIsWrittenButNotRotated()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString target = dir.filePath(QStringLiteral("real.jsonl"));
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        {
            QFile create(target);
            QVERIFY(create.open(QIODevice::WriteOnly));
        }
        QVERIFY(QFile::link(target, path));
        {
            AccessLogWriter writer(path, 2 * kLineBytes, 1);
            QVERIFY(writer.open());
            for (int n = 0; n < 10; ++n) {
                writer.append(fixedLine(n));
            }
        }
        QVERIFY(QFileInfo(path).isSymLink());
        QCOMPARE(readLines(target), fixedLines(0, 10));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::System).size(), 2);
    }

    void aFailingRotationKeepsWritingAndIsReportedOnce()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        // A folder where FILE.1 should go: rename(2) refuses to replace it, even for root.
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("access.jsonl.1")));
        LogCapture log;
        AccessLogWriter writer(path, 20 * kLineBytes, 1);
        QVERIFY(writer.open());
        // Tries at 20 and 40 lines both fail; 60 lines fit before the next try.
        for (int n = 0; n < 60; ++n) {
            writer.append(fixedLine(n));
        }
        QVERIFY(writer.flush(kWait));
        QCOMPARE(writer.writtenLines(), quint64(60));
        QCOMPARE(writer.droppedLines(), quint64(0));
        QCOMPARE(readLines(path), fixedLines(0, 60));
        QVERIFY2(writer.lastError().contains(path), qPrintable(writer.lastError()));
        const QString renameFailed = QStringLiteral("cannot rename .*access\\.jsonl to .*access\\.jsonl\\.1: .*appending");
        QCOMPARE(log.count(QtWarningMsg, renameFailed), 1);

        QVERIFY(QDir(path + QStringLiteral(".1")).removeRecursively());
        for (int n = 60; n < 70; ++n) {
            writer.append(fixedLine(n));
        }
        QVERIFY(writer.flush(kWait));
        QCOMPARE(readLines(path + QStringLiteral(".1")), fixedLines(0, 60));
        QCOMPARE(readLines(path), fixedLines(60, 70));
        QVERIFY(writer.lastError().isEmpty());
        QCOMPARE(log.count(QtInfoMsg, QStringLiteral("rotation works again")), 1);
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral(".")), 1);
    }

    void writeErrorsDropAndCountLines()
    {
        if (!QFile::exists(QStringLiteral("/dev/full"))) {
            QSKIP("no /dev/full");
        }
        LogCapture log;
        // Every write fails with ENOSPC; a device is written to but never rotated.
        AccessLogWriter writer(QStringLiteral("/dev/full"), 100, 3);
        QVERIFY(writer.open());
        for (int n = 0; n < 10; ++n) {
            writer.append(fixedLine(n));
        }
        QVERIFY(writer.flush(kWait));
        QCOMPARE(writer.writtenLines(), quint64(0));
        QCOMPARE(writer.droppedLines(), quint64(10));
        QVERIFY2(writer.lastError().contains(QStringLiteral("/dev/full")), qPrintable(writer.lastError()));
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("cannot write to the access log /dev/full")), 1);
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("lines dropped so far")), 1);
        QVERIFY(writer.close(kWait));
    }

    void concurrentAppendersWriteWholeLines()
    {
        constexpr int kThreads = 4;
        constexpr int kPerThread = 20'000;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        constexpr qint64 kMaxSize = 256 * 1024;
        // Room for every line, so none may be dropped; rotation runs meanwhile.
        AccessLogWriter writer(path, kMaxSize, 100, 64 * 1024 * 1024);
        QVERIFY(writer.open());
        QElapsedTimer timer;
        timer.start();
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&writer, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    writer.append("{\"t\":" + QByteArray::number(t) + ",\"i\":" + QByteArray::number(i) + "}\n");
                }
            });
        }
        for (std::thread &thread : threads) {
            thread.join();
        }
        QVERIFY(writer.flush(kWait));
        QVERIFY(timer.elapsed() < std::chrono::milliseconds(kWait).count());
        QCOMPARE(writer.writtenLines(), quint64(kThreads * kPerThread));
        QCOMPARE(writer.droppedLines(), quint64(0));
        QVERIFY(writer.close(kWait));

        int files = 0;
        while (QFile::exists(path + u'.' + QString::number(files + 1))) {
            ++files;
            QVERIFY(QFileInfo(path + u'.' + QString::number(files)).size() <= kMaxSize);
        }
        QVERIFY(files >= 3);
        const QList<QByteArray> lines = readRotated(path, files);
        QCOMPARE(lines.size(), qsizetype(kThreads * kPerThread));
        // Each thread's lines come whole and in the order it appended them.
        const QRegularExpression shape(QStringLiteral("^\\{\"t\":(\\d),\"i\":(\\d+)\\}\n$"));
        std::vector<int> next(kThreads, 0);
        for (const QByteArray &line : lines) {
            const QRegularExpressionMatch match = shape.match(QString::fromLatin1(line));
            QVERIFY2(match.hasMatch(), line.constData());
            const int t = match.captured(1).toInt();
            QVERIFY(t < kThreads);
            QCOMPARE(match.captured(2).toInt(), next[t]);
            ++next[t];
        }
    }

    // A disk that takes nothing: a FIFO that is open for reading but not read. Once the pipe and
    // the queue are full the writing thread is stuck in write(2); append() must not be.
    void aStuckDiskDropsLinesAndNeverBlocksTheCaller()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        QCOMPARE(::mkfifo(nativePath(path).constData(), S_IRUSR | S_IWUSR), 0);
        const int reader = ::open(nativePath(path).constData(), O_RDONLY | O_NONBLOCK);
        QVERIFY(reader >= 0);
        const auto closeReader = qScopeGuard([reader] { ::close(reader); });
        LogCapture log;

        constexpr int kLines = 50'000; // 2.5 MB against a 64 KiB pipe and a 64 KiB queue
        auto writer = std::make_unique<AccessLogWriter>(path, 1024, 3, 64 * 1024);
        QVERIFY(writer->open());
        QElapsedTimer timer;
        timer.start();
        for (int n = 0; n < kLines; ++n) {
            writer->append(fixedLine(n));
        }
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(writer->droppedLines() > 0);
        QVERIFY(!writer->flush(50ms));

        // The disk comes back: everything accepted arrives, whole and in order.
        QByteArray received;
        const QDeadlineTimer deadline(kWait);
        bool flushed = false;
        while (!flushed && !deadline.hasExpired()) {
            readAvailable(reader, received);
            flushed = writer->flush(10ms);
        }
        QVERIFY(flushed);
        QVERIFY(writer->close(kWait));
        QVERIFY(readAvailable(reader, received));
        const quint64 written = writer->writtenLines();
        QCOMPARE(written + writer->droppedLines(), quint64(kLines));
        QVERIFY(received.endsWith('\n'));
        const QList<QByteArray> lines = received.split('\n');
        QCOMPARE(quint64(lines.size() - 1), written); // after the last '\n' comes ""
        int previous = -1;
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
            const int n = lines[i].mid(5, 5).toInt();
            QVERIFY(n > previous);
            QCOMPARE(lines[i] + '\n', fixedLine(n));
            previous = n;
        }
        writer.reset();
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("lines dropped so far")), 1);
    }

    void closeIsBoundedWhenTheDiskIsStuck()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("access.jsonl"));
        QCOMPARE(::mkfifo(nativePath(path).constData(), S_IRUSR | S_IWUSR), 0);
        int reader = ::open(nativePath(path).constData(), O_RDONLY | O_NONBLOCK);
        QVERIFY(reader >= 0);
        const auto closeReader = qScopeGuard([&reader] {
            if (reader >= 0) {
                ::close(reader);
            }
        });
        LogCapture log;

        constexpr int kLines = 4000; // 200 kB: more than the pipe holds
        AccessLogWriter writer(path, 1024, 3);
        QVERIFY(writer.open());
        for (int n = 0; n < kLines; ++n) {
            writer.append(fixedLine(n));
        }
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!writer.close(200ms));
        QVERIFY(timer.elapsed() < 2000);
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("did not take the last \\d+ bytes within 200 ms")), 1);
        writer.append(fixedLine(kLines)); // after close: dropped
        QCOMPARE(writer.droppedLines(), quint64(1));

        // The reader goes away: the thread left behind gets EPIPE (not SIGPIPE, which would end
        // this process), drops the rest and ends.
        ::close(reader);
        reader = -1;
        QVERIFY(writer.flush(kWait));
        QCOMPARE(writer.writtenLines() + writer.droppedLines(), quint64(kLines + 1));
        QVERIFY(writer.droppedLines() > 1);
        QCOMPARE(log.count(QtWarningMsg, QStringLiteral("cannot write to the access log .*: Broken pipe")), 1);
    }

    void openErrorsNameThePath_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("a file where the folder should be") << QStringLiteral("file-as-folder")
                                                           << QStringLiteral("cannot create the folder");
        QTest::newRow("the path is a folder") << QStringLiteral("folder") << QStringLiteral("Is a directory");
        QTest::newRow("read-only folder") << QStringLiteral("read-only") << QStringLiteral("Permission denied");
        QTest::newRow("sysfs") << QStringLiteral("sysfs") << QStringLiteral("cannot open the access log");
    }
    void openErrorsNameThePath()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString path;
        if (kind == u"file-as-folder") {
            QFile file(dir.filePath(QStringLiteral("logs")));
            QVERIFY(file.open(QIODevice::WriteOnly));
            path = dir.filePath(QStringLiteral("logs/access.jsonl"));
        } else if (kind == u"folder") {
            path = dir.path();
        } else if (kind == u"read-only") {
            if (::geteuid() == 0) {
                QSKIP("root writes into read-only folders");
            }
            QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
            path = dir.filePath(QStringLiteral("access.jsonl"));
        } else {
            // sysfs never lets anyone create a file, whoever runs the test.
            if (!QFileInfo(QStringLiteral("/sys/kernel")).isDir()) {
                QSKIP("no sysfs");
            }
            path = QStringLiteral("/sys/gatehouse-access.jsonl");
        }
        const auto restore = qScopeGuard([&dir] {
            QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        });
        AccessLogWriter writer(path, 1024, 3);
        QString error;
        QVERIFY(!writer.open(&error));
        QVERIFY2(error.contains(path) && error.contains(expected), qPrintable(error));
        writer.append(fixedLine(0));
        QCOMPARE(writer.droppedLines(), quint64(1));
        QCOMPARE(writer.writtenLines(), quint64(0));
        QVERIFY(writer.flush(0ms));
    }
};

QTEST_GUILESS_MAIN(TestAccessLogWriter)
#include "TestAccessLogWriter.moc"
