#include "Listener.h"

#include <fcntl.h>
#include <unistd.h>

#include "engine/core/Acceptor.h"
#include "engine/core/Worker.h"

namespace gatehouse::engine {

Listener::Listener(QList<Worker *> workers, std::shared_ptr<std::atomic<int>> activeConnections, QObject *parent)
    : QTcpServer(parent)
    , m_workers(std::move(workers))
    , m_activeConnections(std::move(activeConnections))
{
    // Qt's default backlog of 50 drops connections under a burst of clients.
    setListenBacklogSize(1024);
}

Listener::~Listener()
{
    if (!m_share) {
        return;
    }
    // Each worker drops its watch, in order after the one it was given; the duplicate descriptor
    // closes with the last of them, so the port is free once the workers have seen this.
    for (Worker *worker : std::as_const(m_workers)) {
        const AcceptShare *share = m_share.get();
        QMetaObject::invokeMethod(worker, [worker, share] { worker->unwatchListener(share); }, Qt::QueuedConnection);
    }
}

bool Listener::open(const QHostAddress &address, quint16 port)
{
    if (!listen(address, port)) {
        return false;
    }
    // QTcpServer's own accept loop stays paused: on EMFILE, Qt 6.4's spins on the still-readable
    // socket without a word, and where Qt reports it as acceptError it pauses accepting with
    // nothing to resume it. The workers' Acceptors accept instead.
    pauseAccepting();
    const int fd = ::fcntl(int(socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        close();
        return false;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    m_share = std::make_shared<AcceptShare>(fd, QStringLiteral("%1:%2").arg(serverAddress().toString()).arg(serverPort()),
                                            m_activeConnections);
    m_share->maxConnections.store(m_maxConnections);
    m_share->options.store(m_options);
    for (Worker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(worker, [worker, share = m_share] { worker->watchListener(share); }, Qt::QueuedConnection);
    }
    return true;
}

void Listener::setMaxConnections(int max)
{
    m_maxConnections = max;
    if (m_share) {
        m_share->maxConnections.store(max, std::memory_order_relaxed);
    }
}

void Listener::setOptions(std::shared_ptr<const ListenerOptions> options)
{
    m_options = std::move(options);
    if (m_share) {
        m_share->options.store(m_options, std::memory_order_release);
    }
}

} // namespace gatehouse::engine
