#include "Acceptor.h"

#include <cerrno>
#include <chrono>

#include <sys/socket.h>
#include <unistd.h>

#include <QAbstractEventDispatcher>
#include <QSocketNotifier>
#include <QTimer>

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/core/DescriptorLimit.h"
#include "engine/core/Worker.h"
#include "engine/net/EpollEventDispatcher.h"
#include "engine/net/Socket.h"

namespace gatehouse::engine {

namespace {

// How soon an acceptor looks again after an accept failed for lack of descriptors (EMFILE/ENFILE).
// nginx disables its accept events and re-enables them after accept_mutex_delay (500 ms); shorter
// here, since a retry costs one failed accept() and the clients wait in the backlog meanwhile.
constexpr std::chrono::milliseconds kAcceptRetry { 100 };
// However often accepts fail, the log hears of it at most this often.
constexpr qint64 kWarningIntervalMs = 30'000;

} // namespace

AcceptShare::AcceptShare(int descriptor, QString where, std::shared_ptr<std::atomic<int>> connections)
    : fd(descriptor)
    , name(std::move(where))
    , activeConnections(std::move(connections))
{
}

AcceptShare::~AcceptShare()
{
    ::close(fd);
}

Acceptor::Acceptor(std::shared_ptr<AcceptShare> share, Worker &worker)
    : m_share(std::move(share))
    , m_worker(worker)
    , m_notifier(new QSocketNotifier(QSocketNotifier::Read, this))
    , m_retryTimer(new QTimer(this))
{
    // A new connection wakes one worker, not all of them for one to win the accept.
    m_notifier->setSocket(m_share->fd);
    if (auto *epoll = qobject_cast<net::EpollEventDispatcher *>(QAbstractEventDispatcher::instance())) {
        epoll->setWakeOneOnly(m_share->fd, true);
    }
    m_notifier->setEnabled(true);
    connect(m_notifier, &QSocketNotifier::activated, this, &Acceptor::acceptPending);
    m_retryTimer->setSingleShot(true);
    // Still readable if clients waited meanwhile: acceptPending runs at once.
    connect(m_retryTimer, &QTimer::timeout, m_notifier, [this] { m_notifier->setEnabled(true); });
}

// The notifier goes first, before the share (and maybe the descriptor) does.
Acceptor::~Acceptor()
{
    delete m_notifier;
    if (auto *epoll = qobject_cast<net::EpollEventDispatcher *>(QAbstractEventDispatcher::instance())) {
        epoll->setWakeOneOnly(m_share->fd, false);
    }
}

void Acceptor::acceptPending()
{
    while (true) {
        // Another worker may have taken the connection that woke this one: EAGAIN then.
        sockaddr_storage peer {};
        socklen_t length = sizeof peer;
        const int fd = ::accept4(m_share->fd, reinterpret_cast<sockaddr *>(&peer), &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            if (m_share->activeConnections->load(std::memory_order_relaxed) >= m_share->maxConnections.load(std::memory_order_relaxed)) {
                qCWarning(lcGateway) << "max_connections" << m_share->maxConnections.load() << "reached: connection refused";
                ::close(fd);
                continue;
            }
            m_share->activeConnections->fetch_add(1, std::memory_order_relaxed);
            m_worker.addConnection(fd, net::Socket::peerOf(peer), m_share->options.load(std::memory_order_acquire));
            // One per wake-up, as nginx without multi_accept: the socket stays readable while
            // clients wait, so the next wait returns at once (here or on an idler worker), and a
            // lone connection costs no accept that finds nothing.
            return;
        }
        switch (errno) {
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
            return;
        case EINTR:
        case ECONNABORTED: // a client that gave up while in the backlog
            continue;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            backOff(QStringLiteral("out of file descriptors (open files limit %1): cannot accept on %2; new connections "
                                   "wait and are accepted once descriptors are free (retried every %3 ms). Raise "
                                   "ulimit -n or lower limits.max_connections")
                        .arg(currentDescriptorLimit().soft)
                        .arg(m_share->name)
                        .arg(kAcceptRetry.count()));
            return;
        default:
            backOff(QStringLiteral("accept on %1 failed: %2; retrying every %3 ms")
                        .arg(m_share->name, qt_error_string(errno))
                        .arg(kAcceptRetry.count()));
            return;
        }
    }
}

// As nginx after EMFILE: stop watching the socket, which stays readable while clients wait (level-
// triggered, it would wake us at once, forever), and look again after kAcceptRetry.
void Acceptor::backOff(const QString &why)
{
    m_notifier->setEnabled(false);
    m_retryTimer->start(kAcceptRetry);
    const qint64 now = steadyNowMs();
    qint64 due = m_share->nextWarningAtMs.load(std::memory_order_relaxed);
    if (now < due || !m_share->nextWarningAtMs.compare_exchange_strong(due, now + kWarningIntervalMs)) {
        m_share->failuresSinceWarning.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    const int failures = m_share->failuresSinceWarning.exchange(0, std::memory_order_relaxed);
    if (failures > 0) {
        qCWarning(lcGateway).noquote() << why << QStringLiteral("(%1 more failed accepts since the last warning)").arg(failures);
    } else {
        qCWarning(lcGateway).noquote() << why;
    }
}

} // namespace gatehouse::engine
