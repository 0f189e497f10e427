#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QTcpServer>

namespace gatehouse::engine {

// Accepts on one bind address and hands each descriptor to a worker; the worker creates the
// socket on its own thread. Connections beyond max_connections are closed at once.
class Listener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Listener)
public:
    using Dispatch = std::function<void(qintptr)>;

    Listener(Dispatch dispatch, std::shared_ptr<std::atomic<int>> activeConnections,
             QObject *parent = nullptr);
    void setMaxConnections(int max) { m_maxConnections = max; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Dispatch m_dispatch;
    std::shared_ptr<std::atomic<int>> m_activeConnections;
    int m_maxConnections = 10'000;
};

} // namespace gatehouse::engine
