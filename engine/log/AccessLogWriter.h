#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace gatehouse::engine {

// The `access_log` file: JSON lines written by a thread of its own, so a slow or stuck disk
// never holds up a request. append() copies the line into a bounded in-memory queue under a
// mutex held for that copy only; when the queue is full the line is dropped and counted.
//
// Rotation follows logrotate's numbering: when the next line would take the file past
// `maxSize`, FILE.<keep-1> becomes FILE.<keep> (the oldest is replaced), ..., FILE becomes
// FILE.1, and a new FILE starts. `keep` 0 keeps no old lines: the file is truncated. Only a plain
// file is rotated (not a FIFO, a device or a symlink). A line is never split across files; a
// single line longer than `maxSize` gets a file of its own. If a rotation fails (permissions, a
// folder in the way) the writer keeps appending to the current file and tries again after
// another `maxSize` bytes; write errors drop and count the lines.
// Each kind of problem is logged once (category gatehouse.engine.accesslog) until it clears.
//
// Not a QObject: it needs no event loop and no signals, its callers sit on any thread, and the
// writing thread does nothing but wait for lines and make blocking file system calls.
class AccessLogWriter final
{
public:
    static constexpr qint64 kDefaultMaxQueuedBytes = 8 * 1024 * 1024;
    static constexpr std::chrono::milliseconds kDefaultCloseTimeout { 2000 };

    // `path` should be absolute (the profile's relative paths resolved first). `maxQueuedBytes`
    // bounds the lines held in memory, queued and being written together.
    AccessLogWriter(const QString &path, qint64 maxSize, int keep,
                    qint64 maxQueuedBytes = kDefaultMaxQueuedBytes);
    // close(kDefaultCloseTimeout).
    ~AccessLogWriter();
    AccessLogWriter(const AccessLogWriter &) = delete;
    AccessLogWriter &operator=(const AccessLogWriter &) = delete;

    // Creates the parent folder, opens the file for appending and starts the writing thread.
    // On failure returns false and, if `error` is set, a message naming the path. Call once.
    bool open(QString *error = nullptr);
    // Queues one line (toAccessLogJson's output; a missing final '\n' is added). Thread-safe and
    // never waits for I/O. Dropped and counted when the queue is full, or before a successful
    // open() / after close().
    void append(QByteArrayView line);
    // Waits until every line appended before the call is written (or dropped by a write error).
    // False if that took longer than `timeout`.
    bool flush(std::chrono::milliseconds timeout);
    // Writes what is queued, then closes the file and ends the thread. If the disk does not take
    // it within `timeout`, the thread is left to finish alone (it holds its own state) and close
    // returns false, so shutdown is never held up by a stuck disk. Later appends are dropped.
    bool close(std::chrono::milliseconds timeout);

    const QString &path() const;
    // Lines completely in the file. Counters for status pages and tests; they only grow.
    quint64 writtenLines() const;
    // Lines lost: the queue was full, a write failed, or the writer was not open.
    quint64 droppedLines() const;
    // The current problem (a failing write or rotation), empty while the file is written well.
    QString lastError() const;

private:
    struct State; // shared with the writing thread, which may outlive this object (see close)

    std::shared_ptr<State> m_state;
    std::thread m_thread;
};

} // namespace gatehouse::engine
