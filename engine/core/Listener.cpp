#include "Listener.h"

#include <unistd.h>

#include "engine/core/Logging.h"

namespace gatehouse::engine {

Listener::Listener(Dispatch dispatch, std::shared_ptr<std::atomic<int>> activeConnections, QObject *parent)
    : QTcpServer(parent)
    , m_dispatch(std::move(dispatch))
    , m_activeConnections(std::move(activeConnections))
{
    // Qt's default backlog of 50 drops connections under a burst of clients.
    setListenBacklogSize(1024);
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
