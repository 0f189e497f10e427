#include "Listener.h"

#include <cerrno>
#include <chrono>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>
#include <QTimer>

#include "engine/base/Logging.h"
#include "engine/core/DescriptorLimit.h"

namespace gatehouse::engine {

namespace {

// How soon a listener looks again after an accept failed for lack of descriptors (EMFILE/ENFILE).
// nginx disables its accept events and re-enables them after accept_mutex_delay (500 ms); shorter
// here, since a retry costs one failed accept() and the clients wait in the backlog meanwhile.
constexpr std::chrono::milliseconds kAcceptRetry { 100 };
// However often accepts fail, the log hears of it at most this often.
constexpr qint64 kWarningIntervalMs = 30'000;

} // namespace

Listener::Listener(Dispatch dispatch, std::shared_ptr<std::atomic<int>> activeConnections, QObject *parent)
    : QTcpServer(parent)
    , m_dispatch(std::move(dispatch))
    , m_activeConnections(std::move(activeConnections))
    , m_retryTimer(new QTimer(this))
{
    // Qt's default backlog of 50 drops connections under a burst of clients.
    setListenBacklogSize(1024);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_acceptNotifier) {
            m_acceptNotifier->setEnabled(true); // still readable if clients waited: acceptPending runs
        }
    });
}

Listener::~Listener()
{
    // Unwatched before QTcpServer's destructor closes the descriptor, whose number may be reused.
    delete m_acceptNotifier;
    m_acceptNotifier = nullptr;
}

bool Listener::open(const QHostAddress &address, quint16 port)
{
    if (!listen(address, port)) {
        return false;
    }
    // QTcpServer's own accept loop is left paused: on EMFILE, Qt 6.4's spins on the still-readable
    // socket without a word (measured: the main thread busy, no acceptError), and where Qt reports
    // it as acceptError it pauses accepting with nothing to resume it. Neither outlives a shortage.
    pauseAccepting();
    const int fd = int(socketDescriptor());
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    m_acceptNotifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &Listener::acceptPending);
    return true;
}

void Listener::acceptPending()
{
    while (true) {
        const int fd = ::accept4(int(socketDescriptor()), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            incomingConnection(fd);
            continue;
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
            backOff(QStringLiteral("out of file descriptors (open files limit %1): cannot accept on %2:%3; new connections "
                                   "wait and are accepted once descriptors are free (retried every %4 ms). Raise "
                                   "ulimit -n or lower limits.max_connections")
                        .arg(currentDescriptorLimit().soft)
                        .arg(serverAddress().toString())
                        .arg(serverPort())
                        .arg(kAcceptRetry.count()));
            return;
        default:
            backOff(QStringLiteral("accept on %1:%2 failed: %3; retrying every %4 ms")
                        .arg(serverAddress().toString())
                        .arg(serverPort())
                        .arg(qt_error_string(errno))
                        .arg(kAcceptRetry.count()));
            return;
        }
    }
}

// As nginx after EMFILE: stop watching the socket, which stays readable while clients wait (level-
// triggered, it would wake us at once, forever), and look again after kAcceptRetry.
void Listener::backOff(const QString &why)
{
    m_acceptNotifier->setEnabled(false);
    m_retryTimer->start(kAcceptRetry);
    if (m_lastWarning.isValid() && !m_lastWarning.hasExpired(kWarningIntervalMs)) {
        ++m_failuresSinceWarning;
        return;
    }
    if (m_failuresSinceWarning > 0) {
        qCWarning(lcGateway).noquote() << why << QStringLiteral("(%1 more failed accepts since the last warning)").arg(m_failuresSinceWarning);
    } else {
        qCWarning(lcGateway).noquote() << why;
    }
    m_failuresSinceWarning = 0;
    m_lastWarning.start();
}

void Listener::incomingConnection(qintptr descriptor)
{
    if (m_activeConnections->load(std::memory_order_relaxed) >= m_maxConnections) {
        qCWarning(lcGateway) << "max_connections" << m_maxConnections << "reached: connection refused";
        ::close(int(descriptor));
        return;
    }
    m_activeConnections->fetch_add(1, std::memory_order_relaxed);
    m_dispatch(descriptor, m_options);
}

} // namespace gatehouse::engine
