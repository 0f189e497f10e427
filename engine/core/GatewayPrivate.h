#pragma once

#include <algorithm>
#include <atomic>
#include <memory>

#include <QHash>
#include <QList>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include "engine/auth/JwksRefresher.h"
#include "engine/config/GatewayConfig.h"
#include "engine/core/Gateway.h"
#include "engine/core/HealthMonitor.h"
#include "engine/core/Listener.h"
#include "engine/core/ListenerTlsSet.h"
#include "engine/core/Observation.h"
#include "engine/core/RequestHistory.h"
#include "engine/core/Worker.h"
#include "engine/core/ServiceRunner.h"

namespace gatehouse::engine {

// The Gateway's insides: its threads, workers, listeners and the running snapshot. Gateway.cpp
// runs its life (start, apply, stop) and answers queries; GatewayPrivate.cpp builds the parts.
class GatewayPrivate
{
public:
    explicit GatewayPrivate(Gateway *owner)
        : q(owner)
    {
    }

    static int workerCount() { return std::max(1, QThread::idealThreadCount()); }

    bool bindListeners(const profile::Profile &profile, QHash<QString, Listener *> &result, QStringList &errors);
    void configureListeners();
    void reloadCertificates();
    void startWorkers();
    void sendConfig();
    void finishStop();
    bool applyServices(const QList<profile::Service> &wanted, QStringList &errors);

    Gateway *q;
    std::shared_ptr<const GatewayConfig> config;
    std::shared_ptr<std::atomic<int>> activeConnections = std::make_shared<std::atomic<int>>(0);
    QList<QThread *> threads;
    QList<Worker *> workers;
    HealthMonitor *health = nullptr; // on its own thread, the last of `threads`
    JwksRefresher *jwks = nullptr; // on the same thread as `health`
    QHash<QString, Listener *> listeners; // by configured bind
    ListenerTlsSet tls;
    QTimer *certificateTimer = nullptr;
    std::unique_ptr<ServiceRunner> services; // the app's; lives as long as the Gateway
    GatewayError lastError;
    int workersDrained = 0;
    bool running = false;
    bool stopping = false;
    QTimer *drainTimer = nullptr;
    SecretStore *secrets = nullptr; // not owned
    RequestHistory history;
    std::shared_ptr<Observation> observation = std::make_shared<Observation>();
    int workerNiceness = 0;
};

} // namespace gatehouse::engine
