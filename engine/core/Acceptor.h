#pragma once

#include <atomic>
#include <memory>

#include <QObject>
#include <QString>

#include "engine/config/ListenerOptions.h"

class QSocketNotifier;
class QTimer;

namespace gatehouse::engine {

class Worker;

// What a Listener shares with the workers that accept on its socket. The descriptor is a
// duplicate of the Listener's, closed when the last holder lets go: a worker still watching it
// never finds its number reused by another socket.
struct AcceptShare
{
    AcceptShare(int descriptor, QString where, std::shared_ptr<std::atomic<int>> connections);
    ~AcceptShare();
    AcceptShare(const AcceptShare &) = delete;
    AcceptShare &operator=(const AcceptShare &) = delete;

    const int fd;
    const QString name; // "host:port", for messages
    const std::shared_ptr<std::atomic<int>> activeConnections; // across every listener and worker
    std::atomic<int> maxConnections { 10'000 };
    // New connections get these; those already accepted keep theirs.
    std::atomic<std::shared_ptr<const ListenerOptions>> options { std::make_shared<ListenerOptions>() };
    // Failed accepts are said at most every so often for the listener, whichever worker fails.
    std::atomic<qint64> nextWarningAtMs { 0 };
    std::atomic<int> failuresSinceWarning { 0 };
};

// One worker's watch on a listening socket. Every worker accepts on the same socket from its own
// thread, as nginx's workers do: a connection starts on the thread that serves it, with no
// hand-off through another thread's queue (and none through the app's GUI thread). Connections
// beyond max_connections are closed at once. Out of descriptors, it stops watching for a moment
// and accepts again once some are free (SPEC §7.1).
class Acceptor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Acceptor)
public:
    // On the worker's thread.
    Acceptor(std::shared_ptr<AcceptShare> share, Worker &worker);
    ~Acceptor() override;
    const AcceptShare *share() const { return m_share.get(); }

private:
    void acceptPending();
    void backOff(const QString &why);

    std::shared_ptr<AcceptShare> m_share;
    Worker &m_worker;
    QSocketNotifier *m_notifier; // a child
    QTimer *m_retryTimer; // a child: watches again after a failed accept
};

} // namespace gatehouse::engine
