#pragma once

#include <atomic>
#include <memory>

#include <QList>
#include <QTcpServer>

#include "engine/config/ListenerOptions.h"

namespace gatehouse::engine {

struct AcceptShare;
class Worker;

// Binds one address (errors are known at once, on the gateway's thread) and has every worker
// accept on it (Acceptor); it accepts nothing itself. Destroying it stops the workers' watches.
class Listener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Listener)
public:
    Listener(QList<Worker *> workers, std::shared_ptr<std::atomic<int>> activeConnections, QObject *parent = nullptr);
    ~Listener() override;
    // Binds and listens (errorString() says why not), then hands the socket to the workers.
    bool open(const QHostAddress &address, quint16 port);
    void setMaxConnections(int max);
    // New connections get these; those already accepted keep theirs.
    void setOptions(std::shared_ptr<const ListenerOptions> options);

private:
    QList<Worker *> m_workers;
    std::shared_ptr<std::atomic<int>> m_activeConnections;
    int m_maxConnections = 10'000;
    std::shared_ptr<AcceptShare> m_share; // once open
    std::shared_ptr<const ListenerOptions> m_options = std::make_shared<ListenerOptions>();
};

} // namespace gatehouse::engine
