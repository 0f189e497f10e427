#include "Worker.h"

#include "engine/base/Logging.h"
#include "engine/core/Acceptor.h"
#include "engine/core/ClientConnection.h"
#include "engine/net/Socket.h"

namespace gatehouse::engine {

namespace {
// Deadlines are checked on this tick; traffic events leave every second tick (200 ms).
constexpr int kTickMs = 100;
// A worker never holds more than this many unsent traffic events (a stalled consumer).
constexpr qsizetype kMaxBufferedEvents = 50'000;
} // namespace

Worker::Worker(int index, std::shared_ptr<std::atomic<int>> activeConnections)
    : m_index(index)
    , m_activeConnections(std::move(activeConnections))
{
}

Worker::~Worker()
{
    shutdown();
}

void Worker::setConfig(std::shared_ptr<const GatewayConfig> config)
{
    m_config = std::move(config);
    if (!m_timer) {
        // Created here, on the worker's thread, so its events arrive on this thread.
        m_timer = new QTimer(this);
        m_timer->setInterval(kTickMs);
        connect(m_timer, &QTimer::timeout, this, &Worker::tick);
        m_timer->start();
    }
}

void Worker::watchListener(std::shared_ptr<AcceptShare> share)
{
    m_acceptors.push_back(std::make_unique<Acceptor>(std::move(share), *this));
}

void Worker::unwatchListener(const AcceptShare *share)
{
    std::erase_if(m_acceptors, [share](const std::unique_ptr<Acceptor> &acceptor) { return acceptor->share() == share; });
}

void Worker::addConnection(qintptr descriptor, const net::Socket::Peer &peer, std::shared_ptr<const ListenerOptions> options)
{
    auto socket = net::Socket::adopt(descriptor, nullptr);
    if (m_draining || !m_config) {
        m_activeConnections->fetch_sub(1, std::memory_order_relaxed);
        return; // the socket closes as it goes out of scope
    }
    if (options->tls) {
        ssl_st *session = options->tls->newSession();
        if (!session) {
            m_activeConnections->fetch_sub(1, std::memory_order_relaxed);
            qCWarning(lcGateway) << "cannot start a TLS session: out of memory";
            return;
        }
        socket->startServerTls(session, options->tls);
    }
    auto session = std::make_unique<ClientConnection>(*this, std::move(socket), peer, std::move(options),
                                                   ClientConnection::Clock::now());
    ClientConnection *raw = session.get();
    m_sessions.emplace(raw, std::move(session));
}

void Worker::record(TrafficEvent &&event)
{
    countServed();
    // A request that failed before it had a snapshot takes the worker's. The path leaves the
    // worker with its token_from query values redacted: the access log, the admin API and the
    // app all show this one string.
    if (!event.secrets && m_config) {
        event.secrets = m_config->secretNames;
    }
    if (event.secrets) {
        event.path = event.secrets->redactedPath(event.path);
    }
    if (m_config && m_config->observed) {
        m_metrics.record(event); // for /metrics: only a profile with an admin API has one
    }
    if (m_events.size() < kMaxBufferedEvents) {
        m_events.append(std::move(event));
    }
}

void Worker::sessionClosed(ClientConnection *session)
{
    m_closedSessions.push_back(session);
    m_activeConnections->fetch_sub(1, std::memory_order_relaxed);
    if (!m_reapScheduled) {
        m_reapScheduled = true;
        // Sessions close from inside their own callbacks; delete them once the stack unwound.
        QMetaObject::invokeMethod(this, &Worker::reap, Qt::QueuedConnection);
    }
}

void Worker::resumeLater(ClientConnection *session)
{
    if (m_yielded.empty()) {
        QMetaObject::invokeMethod(this, &Worker::resumeYielded, Qt::QueuedConnection);
    }
    m_yielded.push_back(session);
}

void Worker::resumeYielded()
{
    std::vector<ClientConnection *> yielded;
    yielded.swap(m_yielded);
    for (ClientConnection *session : yielded) {
        // A session may have closed (and been reaped) since it yielded.
        if (m_sessions.find(session) != m_sessions.end() && !session->isClosed()) {
            session->resume();
        }
    }
}

void Worker::reap()
{
    m_reapScheduled = false;
    std::vector<ClientConnection *> closed;
    closed.swap(m_closedSessions);
    for (ClientConnection *session : closed) {
        m_sessions.erase(session);
    }
    if (m_draining && m_sessions.empty()) {
        flushEvents();
        Q_EMIT drained();
    }
}

void Worker::tick()
{
    const auto now = ClientConnection::Clock::now();
    for (auto &[raw, session] : m_sessions) {
        session->checkDeadlines(now);
    }
    // Workers flush on alternate ticks, so their batches reach the app one at a time.
    if ((++m_ticks + m_index) % 2 == 0) {
        flushEvents();
    }
}

void Worker::flushEvents()
{
    if (!m_events.isEmpty()) {
        if (m_history && m_config && m_config->observed) { // only the admin API reads the history
            m_history->append(m_events);
        }
        Q_EMIT trafficBatch(m_events);
        m_events.clear();
    }
}

void Worker::drain()
{
    m_draining = true;
    for (auto &[raw, session] : m_sessions) {
        session->drain();
    }
    if (m_sessions.empty()) {
        flushEvents();
        Q_EMIT drained();
    }
}

void Worker::shutdown()
{
    flushEvents();
    m_acceptors.clear();
    m_sessions.clear();
    m_closedSessions.clear();
    m_pool.clear();
    if (m_timer) {
        m_timer->stop();
    }
}

} // namespace gatehouse::engine
