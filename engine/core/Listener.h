#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QElapsedTimer>
#include <QTcpServer>

#include "engine/config/ListenerOptions.h"

class QSocketNotifier;
class QTimer;

namespace gatehouse::engine {

// Accepts on one bind address and hands each descriptor to a worker; the worker creates the
// socket on its own thread. Connections beyond max_connections are closed at once. Out of
// descriptors, it stops watching for a moment and accepts again once some are free (SPEC §7.1).
class Listener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Listener)
public:
    using Dispatch = std::function<void(qintptr, const std::shared_ptr<const ListenerOptions> &)>;

    Listener(Dispatch dispatch, std::shared_ptr<std::atomic<int>> activeConnections,
             QObject *parent = nullptr);
    ~Listener() override;
    // Binds and listens (errorString() says why not), then accepts through acceptPending().
    bool open(const QHostAddress &address, quint16 port);
    void setMaxConnections(int max) { m_maxConnections = max; }
    // New connections get these; those already accepted keep theirs.
    void setOptions(std::shared_ptr<const ListenerOptions> options) { m_options = std::move(options); }
    const std::shared_ptr<const ListenerOptions> &options() const { return m_options; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void acceptPending();
    void backOff(const QString &why);

    Dispatch m_dispatch;
    std::shared_ptr<std::atomic<int>> m_activeConnections;
    int m_maxConnections = 10'000;
    std::shared_ptr<const ListenerOptions> m_options = std::make_shared<ListenerOptions>();
    QSocketNotifier *m_acceptNotifier = nullptr; // a child; on the listening descriptor
    QTimer *m_retryTimer; // a child: watches again after a failed accept
    QElapsedTimer m_lastWarning; // failed accepts are said at most every kWarningIntervalMs
    int m_failuresSinceWarning = 0;
};

} // namespace gatehouse::engine
