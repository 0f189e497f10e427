#include "AccessLogWriter.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <limits>
#include <mutex>
#include <system_error>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <QFileInfo>
#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"

namespace gatehouse::engine {

namespace {

constexpr qint64 kDropReportIntervalNs = 10'000'000'000;
constexpr qint64 kNever = std::numeric_limits<qint64>::max();

qint64 countLines(QByteArrayView bytes)
{
    return std::count(bytes.begin(), bytes.end(), '\n');
}

// O_NONBLOCK only for open(2): a FIFO that nobody reads then fails at once (ENXIO) instead of
// hanging the caller. Writes are blocking again; they happen on the writing thread.
int openForAppend(const QByteArray &nativePath)
{
    const int fd = ::open(nativePath.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK,
                          // Paths with query strings can carry keys the redaction does not know of.
                          S_IRUSR | S_IWUSR);
    if (fd >= 0) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    return fd;
}

} // namespace

struct AccessLogWriter::State
{
    enum Problem { WriteProblem, RotationProblem };

    State(const QString &filePath, qint64 maxFileSize, int keepFiles, qint64 maxQueued)
        : path(filePath)
        , nativePath(QFile::encodeName(filePath))
        , maxSize(maxFileSize)
        , keep(keepFiles)
        , maxQueuedBytes(maxQueued)
    {
    }

    void run();
    void writeBatch(QByteArrayView bytes);
    void writeLines(QByteArrayView lines);
    bool rotate();
    QString renameAndReopen();
    QByteArray numbered(int index) const { return nativePath + '.' + QByteArray::number(index); }
    void setProblem(Problem problem, const QString &message);
    void writeFailed(int error)
    {
        setProblem(WriteProblem, QStringLiteral("cannot write to the access log %1: %2").arg(path, qt_error_string(error)));
    }
    void clearProblem(Problem problem);
    void reportDrops();

    const QString path;
    const QByteArray nativePath;
    const qint64 maxSize;
    const int keep;
    const qint64 maxQueuedBytes;

    std::mutex mutex;
    std::condition_variable wake; // the writing thread: lines queued, or stopping
    std::condition_variable progress; // flush() and close(): bytes done, or the thread finished
    QByteArray queue; // guarded by mutex
    quint64 queuedBytes = 0; // ever queued; guarded by mutex
    quint64 doneBytes = 0; // ever written or lost to a write error; guarded by mutex
    bool accepting = false; // open and not closing; guarded by mutex
    bool stopping = false; // guarded by mutex
    bool finished = false; // guarded by mutex

    std::atomic<quint64> written { 0 };
    std::atomic<quint64> dropped { 0 };

    mutable std::mutex errorMutex;
    QString lastError; // guarded by errorMutex

    // Owned by the writing thread once it runs.
    int fd = -1;
    qint64 size = 0;
    qint64 rotateAt = kNever; // kNever for a FIFO, a device or a symlink, which are not rotated
    bool midLine = false; // a failed write left part of a line in the file
    std::array<bool, 2> failing {};
    quint64 reportedDrops = 0;
    qint64 nextDropReportNs = 0;
};

void AccessLogWriter::State::run()
{
    // A FIFO whose reader went away raises SIGPIPE, which would end the process; blocked on this
    // thread, the write fails with EPIPE instead and the lines are counted as dropped.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

    QByteArray batch;
    std::unique_lock lock(mutex);
    for (;;) {
        wake.wait(lock, [this] { return stopping || !queue.isEmpty(); });
        if (queue.isEmpty()) {
            break;
        }
        // Swapping keeps both buffers' capacity, so a steady stream allocates nothing.
        batch.swap(queue);
        lock.unlock();
        writeBatch(batch);
        reportDrops();
        const qsizetype bytes = batch.size();
        batch.resize(0);
        lock.lock();
        doneBytes += quint64(bytes);
        progress.notify_all();
    }
    // close(2) can block too (NFS); appenders only need the mutex to learn they are too late.
    lock.unlock();
    ::close(fd);
    fd = -1;
    lock.lock();
    finished = true;
    progress.notify_all();
}

void AccessLogWriter::State::writeBatch(QByteArrayView bytes)
{
    while (!bytes.isEmpty()) {
        // The whole lines that fit before the size limit.
        const qint64 room = rotateAt - size;
        qsizetype take = bytes.size() <= room ? bytes.size()
                                              : bytes.first(std::max<qint64>(room, 0)).lastIndexOf('\n') + 1;
        if (take == 0) {
            if (size > 0 && rotate()) {
                continue;
            }
            // Alone in a fresh file a line longer than max_size still goes in whole; after a
            // failed rotation the current file takes it.
            take = bytes.indexOf('\n') + 1;
            Q_ASSERT(take > 0); // append() ends every line with '\n'
        }
        writeLines(bytes.first(take));
        bytes = bytes.sliced(take);
    }
}

void AccessLogWriter::State::writeLines(QByteArrayView lines)
{
    if (midLine) {
        // Ends the torn line, so that it alone is unreadable and the next ones parse.
        if (::write(fd, "\n", 1) != 1) {
            dropped.fetch_add(quint64(countLines(lines)), std::memory_order_relaxed);
            writeFailed(errno);
            return;
        }
        midLine = false;
        ++size;
    }
    qsizetype done = 0;
    int error = 0;
    while (done < lines.size()) {
        const ssize_t n = ::write(fd, lines.data() + done, size_t(lines.size() - done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            error = n < 0 ? errno : EIO;
            break;
        }
        done += n;
    }
    size += done;
    const qint64 complete = countLines(lines.first(done));
    written.fetch_add(quint64(complete), std::memory_order_relaxed);
    if (done < lines.size()) {
        dropped.fetch_add(quint64(countLines(lines) - complete), std::memory_order_relaxed);
        midLine = done > 0 && lines[done - 1] != '\n';
        writeFailed(error);
    } else {
        clearProblem(WriteProblem);
    }
}

bool AccessLogWriter::State::rotate()
{
    QString failure;
    if (keep == 0) {
        if (::ftruncate(fd, 0) != 0) {
            failure = QStringLiteral("cannot truncate the access log %1: %2").arg(path, qt_error_string(errno));
        }
    } else {
        failure = renameAndReopen();
    }
    if (!failure.isEmpty()) {
        // Lines matter more than the size limit: keep appending, and try again later rather
        // than before every line.
        rotateAt = size + maxSize;
        setProblem(RotationProblem, failure + QStringLiteral("; appending to the current file"));
        return false;
    }
    size = 0;
    rotateAt = maxSize;
    clearProblem(RotationProblem);
    return true;
}

// FILE.<keep-1> -> FILE.<keep>, ..., FILE -> FILE.1, then a new FILE. rename(2) replaces its
// target, which drops the oldest file. Returns what failed, empty on success.
QString AccessLogWriter::State::renameAndReopen()
{
    for (int i = keep - 1; i >= 1; --i) {
        if (::rename(numbered(i).constData(), numbered(i + 1).constData()) != 0 && errno != ENOENT) {
            return QStringLiteral("cannot rename %1.%2 to %1.%3: %4")
                .arg(path, QString::number(i), QString::number(i + 1), qt_error_string(errno));
        }
    }
    // ENOENT: the file was removed from under us, or a previous reopen failed; a new one is due.
    if (::rename(nativePath.constData(), numbered(1).constData()) != 0 && errno != ENOENT) {
        return QStringLiteral("cannot rename %1 to %1.1: %2").arg(path, qt_error_string(errno));
    }
    const int newFd = openForAppend(nativePath);
    if (newFd < 0) {
        // The old descriptor stays: its lines land in FILE.1 until the next try.
        return QStringLiteral("cannot create a new %1: %2").arg(path, qt_error_string(errno));
    }
    ::close(fd);
    fd = newFd;
    return {};
}

void AccessLogWriter::State::setProblem(Problem problem, const QString &message)
{
    if (!failing[problem]) {
        failing[problem] = true;
        qCWarning(lcAccessLog).noquote() << message;
    }
    const std::lock_guard lock(errorMutex);
    lastError = message;
}

void AccessLogWriter::State::clearProblem(Problem problem)
{
    if (!failing[problem]) {
        return;
    }
    failing[problem] = false;
    qCInfo(lcAccessLog).noquote() << (problem == WriteProblem ? QStringLiteral("access log %1: writing works again")
                                                              : QStringLiteral("access log %1: rotation works again"))
                                         .arg(path);
    if (!failing[WriteProblem] && !failing[RotationProblem]) {
        const std::lock_guard lock(errorMutex);
        lastError.clear();
    }
}

// At most one line per interval, so a disk that cannot keep up does not also flood stderr.
void AccessLogWriter::State::reportDrops()
{
    const quint64 total = dropped.load(std::memory_order_relaxed);
    if (total == reportedDrops) {
        return;
    }
    const qint64 nowNs = steadyNowNs();
    if (nowNs < nextDropReportNs) {
        return;
    }
    qCWarning(lcAccessLog).noquote()
        << QStringLiteral("access log %1: %2 lines dropped so far (the disk is slower than the traffic, or failing)")
               .arg(path, QString::number(total));
    reportedDrops = total;
    nextDropReportNs = nowNs + kDropReportIntervalNs;
}

AccessLogWriter::AccessLogWriter(const QString &path, qint64 maxSize, int keep, qint64 maxQueuedBytes)
    : m_state(std::make_shared<State>(path, maxSize, keep, maxQueuedBytes))
{
}

AccessLogWriter::~AccessLogWriter()
{
    close(kDefaultCloseTimeout);
}

bool AccessLogWriter::open(QString *error)
{
    Q_ASSERT(!m_thread.joinable()); // open() is called once
    State &s = *m_state;
    const auto fail = [error](const QString &message) {
        if (error) {
            *error = message;
        }
        return false;
    };
    const QString folder = QFileInfo(s.path).absolutePath();
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(QFile::encodeName(folder).toStdString()), ec);
    if (ec) {
        return fail(QStringLiteral("cannot create the folder %1 for the access log %2: %3")
                        .arg(folder, s.path, QString::fromLocal8Bit(ec.message())));
    }
    const int fd = openForAppend(s.nativePath);
    if (fd < 0) {
        return fail(QStringLiteral("cannot open the access log %1: %2").arg(s.path, qt_error_string(errno)));
    }
    // Only a plain file is rotated: renaming a symlink (/dev/stdout to a redirected file) would
    // move the link, not the log.
    struct stat info {};
    struct stat link {};
    const bool plainFile = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)
        && ::lstat(s.nativePath.constData(), &link) == 0 && S_ISREG(link.st_mode);
    s.fd = fd;
    if (plainFile) {
        s.size = info.st_size;
        s.rotateAt = s.maxSize;
    }
    {
        const std::lock_guard lock(s.mutex);
        s.accepting = true;
    }
    m_thread = std::thread([state = m_state] { state->run(); });
    return true;
}

void AccessLogWriter::append(QByteArrayView line)
{
    State &s = *m_state;
    const bool addNewline = !line.endsWith('\n');
    Q_ASSERT(!line.first(line.size() - (addNewline ? 0 : 1)).contains('\n')); // one line
    const quint64 bytes = quint64(line.size()) + (addNewline ? 1 : 0);
    bool wasEmpty = false;
    {
        const std::lock_guard lock(s.mutex);
        if (!s.accepting || s.queuedBytes - s.doneBytes + bytes > quint64(s.maxQueuedBytes)) {
            s.dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        wasEmpty = s.queue.isEmpty();
        s.queue.append(line);
        if (addNewline) {
            s.queue.append('\n');
        }
        s.queuedBytes += bytes;
    }
    // The writing thread waits only on an empty queue, so only the first line needs to wake it.
    if (wasEmpty) {
        s.wake.notify_one();
    }
}

bool AccessLogWriter::flush(std::chrono::milliseconds timeout)
{
    State &s = *m_state;
    std::unique_lock lock(s.mutex);
    const quint64 target = s.queuedBytes;
    return s.progress.wait_for(lock, timeout, [&s, target] { return s.doneBytes >= target; });
}

bool AccessLogWriter::close(std::chrono::milliseconds timeout)
{
    State &s = *m_state;
    std::unique_lock lock(s.mutex);
    s.accepting = false;
    if (!m_thread.joinable()) {
        // Never opened, or closed before: true if nothing is left unwritten.
        return s.doneBytes == s.queuedBytes;
    }
    s.stopping = true;
    s.wake.notify_one();
    if (s.progress.wait_for(lock, timeout, [&s] { return s.finished; })) {
        lock.unlock();
        m_thread.join();
        return true;
    }
    const quint64 pending = s.queuedBytes - s.doneBytes;
    lock.unlock();
    // The thread holds its own reference to the state; it finishes if the disk recovers, and the
    // process may exit before that.
    m_thread.detach();
    qCWarning(lcAccessLog).noquote()
        << QStringLiteral("access log %1: the disk did not take the last %2 bytes within %3 ms; not waiting any longer")
               .arg(s.path, QString::number(pending), QString::number(timeout.count()));
    return false;
}

const QString &AccessLogWriter::path() const
{
    return m_state->path;
}

quint64 AccessLogWriter::writtenLines() const
{
    return m_state->written.load(std::memory_order_relaxed);
}

quint64 AccessLogWriter::droppedLines() const
{
    return m_state->dropped.load(std::memory_order_relaxed);
}

QString AccessLogWriter::lastError() const
{
    const std::lock_guard lock(m_state->errorMutex);
    return m_state->lastError;
}

} // namespace gatehouse::engine
