#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include <QList>
#include <QObject>
#include <QTimer>

#include "engine/config/GatewayConfig.h"
#include "engine/config/ListenerOptions.h"
#include "engine/core/Observation.h"
#include "engine/core/ReadBuffers.h"
#include "engine/core/RequestHistory.h"
#include "engine/metrics/WorkerMetrics.h"
#include "engine/net/Socket.h"
#include "engine/pipeline/Pipeline.h"
#include "engine/traffic/TrafficEvent.h"
#include "engine/upstream/UpstreamPool.h"

namespace gatehouse::engine {

class Acceptor;
struct AcceptShare;
class ClientConnection;

// One event loop's share of the work: it owns its client sessions, its upstream pool and its
// pipeline stages, all touched only on its own thread. It gets descriptors and config
// snapshots from the Gateway through queued calls.
class Worker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)
public:
    Worker(int index, std::shared_ptr<std::atomic<int>> activeConnections);
    ~Worker() override;

    // Queued from the gateway's thread.
    void setConfig(std::shared_ptr<const GatewayConfig> config);
    void watchListener(std::shared_ptr<AcceptShare> share);
    void unwatchListener(const AcceptShare *share);
    void drain();
    void shutdown();

    // A connection its Acceptor took, on this worker's thread.
    void addConnection(qintptr descriptor, const net::Socket::Peer &peer, std::shared_ptr<const ListenerOptions> options);

    // Used by sessions, on this worker's thread.
    int index() const { return m_index; }
    const std::shared_ptr<const GatewayConfig> &config() const { return m_config; }
    UpstreamPool &pool() { return m_pool; }
    ReadBuffers &readBuffers() { return m_readBuffers; }
    Pipeline &pipeline() { return m_pipeline; }
    void record(TrafficEvent &&event);
    // A request served that nobody asked to see: only counted.
    void countServed() { m_requestsServed.fetch_add(1, std::memory_order_relaxed); }
    // Whether requests' events are wanted: the app or an access log listens, or the admin API
    // (history, metrics) needs them.
    bool recording() const { return m_observation->events.load(std::memory_order_relaxed) || observed(); }
    void sessionClosed(ClientConnection *session);
    // The session yielded to the others (SPEC §7.1: at most 16 pipelined requests per
    // wake-up): its processInput() runs again once the loop has served them.
    void resumeLater(ClientConnection *session);

    quint64 requestsServed() const { return m_requestsServed.load(std::memory_order_relaxed); }
    const WorkerMetrics &metrics() const { return m_metrics; }
    const std::shared_ptr<CaptureArchive> &captureArchive() const { return m_captureArchive; }
    // Whether requests' headers are kept: for the admin API's history, or for the app.
    bool observed() const { return m_observation->headers.load(std::memory_order_relaxed) || (m_config && m_config->observed); }
    // Which bodies are kept: only the app asks for them, the admin API never shows them.
    BodyCapturePolicy bodyCapture() const { return m_observation->bodyPolicy(); }
    void setObservation(std::shared_ptr<const Observation> observation) { m_observation = std::move(observation); }
    // Where batches are kept for the admin API's /admin/requests (the gateway's, not owned).
    void setHistory(RequestHistory *history) { m_history = history; }

Q_SIGNALS:
    void trafficBatch(const QList<gatehouse::engine::TrafficEvent> &events);
    void drained();

private:
    void tick();
    void flushEvents();
    void reap();
    void resumeYielded();

    int m_index = 0;
    std::shared_ptr<std::atomic<int>> m_activeConnections;
    std::shared_ptr<const GatewayConfig> m_config;
    ReadBuffers m_readBuffers; // before the sessions and the pool, whose buffers come back here
    UpstreamPool m_pool;
    Pipeline m_pipeline;
    std::vector<std::unique_ptr<Acceptor>> m_acceptors;
    std::unordered_map<ClientConnection *, std::unique_ptr<ClientConnection>> m_sessions;
    std::vector<ClientConnection *> m_closedSessions;
    bool m_reapScheduled = false;
    std::vector<ClientConnection *> m_yielded;
    bool m_draining = false;
    QList<TrafficEvent> m_events;
    QTimer *m_timer = nullptr;
    int m_ticks = 0;
    std::atomic<quint64> m_requestsServed { 0 };
    WorkerMetrics m_metrics;
    std::shared_ptr<CaptureArchive> m_captureArchive = std::make_shared<CaptureArchive>();
    std::shared_ptr<const Observation> m_observation = std::make_shared<Observation>();
    RequestHistory *m_history = nullptr;
};

} // namespace gatehouse::engine
