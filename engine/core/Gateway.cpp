#include "Gateway.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <limits>

#include <sys/resource.h>
#include <unistd.h>

#include <QDateTime>
#include <QHash>
#include <QThread>
#include <QTimer>

#include "engine/auth/JwksRefresher.h"
#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/config/GatewayConfig.h"
#include "engine/config/HostResolver.h"
#include "engine/core/DescriptorLimit.h"
#include "engine/core/EngineThread.h"
#include "engine/core/HealthMonitor.h"
#include "engine/core/Listener.h"
#include "engine/core/ListenerKey.h"
#include "engine/core/ListenerTlsSet.h"
#include "engine/core/Worker.h"
#include "engine/metrics/PrometheusText.h"
#include "engine/net/EpollEventDispatcher.h"
#include "engine/profile/Values.h"
#include "engine/services/ServiceHost.h"

namespace gatehouse::engine {

QString ListenerInfo::url() const
{
    const QString shownHost = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("%1://%2:%3").arg(tls ? QStringLiteral("https") : QStringLiteral("http"), shownHost).arg(port);
}

namespace {

int workerCount()
{
    return std::max(1, QThread::idealThreadCount());
}

qint64 longestLeewaySeconds(const profile::Profile &profile)
{
    qint64 longest = 0;
    for (const profile::JwtProfile &jwt : profile.jwt) {
        longest = std::max<qint64>(longest, std::chrono::ceil<std::chrono::seconds>(jwt.leeway).count());
    }
    return longest;
}

} // namespace

class GatewayPrivate
{
public:
    explicit GatewayPrivate(Gateway *owner)
        : q(owner)
    {
    }

    bool bindListeners(const profile::Profile &profile, QHash<QString, Listener *> &result, QStringList &errors);
    void configureListeners();
    void reloadCertificates();
    void startWorkers();
    void sendConfig();
    void finishStop();

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
    std::unique_ptr<ServiceHost> services;
    GatewayError lastError;
    int nextWorker = 0;
    int workersDrained = 0;
    bool running = false;
    bool stopping = false;
    QTimer *drainTimer = nullptr;
    SecretStore *secrets = nullptr; // not owned
    RequestHistory history;
    std::shared_ptr<Observation> observation = std::make_shared<Observation>();
    int workerNiceness = 0;
};

bool GatewayPrivate::bindListeners(const profile::Profile &profile, QHash<QString, Listener *> &result,
                                   QStringList &errors)
{
    for (qsizetype i = 0; i < profile.listen.size(); ++i) {
        const profile::Listener &listen = profile.listen.at(i);
        const QString key = listenerKey(profile.listen, i);
        if (listeners.contains(key)) {
            result.insert(key, listeners.value(key));
            continue;
        }
        QString error;
        const auto address = resolveHost(listen.bind.host, &error);
        if (!address) {
            errors.append(QStringLiteral("listen %1: cannot resolve host: %2").arg(key, error));
            continue;
        }
        auto *listener = new Listener(
            [this](qintptr descriptor, const std::shared_ptr<const ListenerOptions> &options) {
                Worker *worker = workers.at(nextWorker);
                nextWorker = (nextWorker + 1) % int(workers.size());
                QMetaObject::invokeMethod(
                    worker, [worker, descriptor, options] { worker->addConnection(descriptor, options); },
                    Qt::QueuedConnection);
            },
            activeConnections, q);
        listener->setMaxConnections(profile.limits.maxConnections);
        if (!listener->open(*address, listen.bind.port)) {
            errors.append(QStringLiteral("cannot listen on %1: %2").arg(key, listener->errorString()));
            delete listener;
            continue;
        }
        result.insert(key, listener);
    }
    if (!errors.isEmpty()) {
        // Roll back: close only what this call opened.
        for (auto it = result.begin(); it != result.end(); ++it) {
            if (!listeners.contains(it.key())) {
                delete it.value();
            }
        }
        result.clear();
        return false;
    }
    return true;
}

// Gives each listener its TLS context and, for `redirect_https`, the HTTPS port it sends clients to:
// the first HTTPS listener's, known only once it is bound (port 0 picks a free one).
void GatewayPrivate::configureListeners()
{
    const profile::Profile &profile = config->profile;
    quint16 httpsPort = 0;
    QStringList machineNames; // looked up only for a wildcard bind
    for (qsizetype i = 0; i < profile.listen.size(); ++i) {
        const Listener *listener = listeners.value(listenerKey(profile.listen, i));
        if (profile.listen.at(i).tls && listener && httpsPort == 0) {
            httpsPort = listener->serverPort();
        }
    }
    for (qsizetype i = 0; i < profile.listen.size(); ++i) {
        const profile::Listener &listen = profile.listen.at(i);
        const QString key = listenerKey(profile.listen, i);
        Listener *listener = listeners.value(key);
        if (!listener) {
            continue;
        }
        auto options = std::make_shared<ListenerOptions>();
        options->tls = tls.context(key);
        options->redirectHttpsPort = listen.redirectHttps ? httpsPort : 0;
        if (profile::isWildcardHost(listen.bind.host) && machineNames.isEmpty()) {
            machineNames = HostAllowList::machineNames();
        }
        options->hosts = HostAllowList::build(listen, *config, options->tls ? options->tls->names() : QStringList(),
                                              machineNames);
        options->port = listener->serverPort();
        listener->setOptions(std::move(options));
    }
}

void GatewayPrivate::reloadCertificates()
{
    QStringList errors;
    const QStringList changed = tls.reloadChanged(errors);
    for (const QString &error : std::as_const(errors)) {
        qCWarning(lcGateway).noquote() << error;
    }
    if (!changed.isEmpty()) {
        qCInfo(lcGateway).noquote() << "certificates reloaded for" << changed.join(QStringLiteral(", "));
        configureListeners();
    }
}

namespace {

void lowerThisThreadsPriority(int niceness)
{
#ifdef Q_OS_LINUX
    // Linux keeps a nice value per thread; raising it needs no privilege.
    if (setpriority(PRIO_PROCESS, pid_t(gettid()), niceness) != 0) {
        qCWarning(lcGateway) << "cannot lower the worker thread's priority:" << qt_error_string(errno);
    }
#else
    Q_UNUSED(niceness)
#endif
}

} // namespace

void GatewayPrivate::startWorkers()
{
    const int count = workerCount();
    // epoll: Qt's dispatcher polls every descriptor on each wake-up. "qt" is the escape hatch.
    const bool useEpoll = qEnvironmentVariable("GATEHOUSE_EVENT_DISPATCHER") != QLatin1String("qt");
    for (int i = 0; i < count; ++i) {
        auto *thread = new EngineThread;
        thread->setObjectName(QStringLiteral("gatehouse-worker-%1").arg(i));
        if (useEpoll) {
            thread->setEventDispatcher(new net::EpollEventDispatcher);
        }
        auto *worker = new Worker(i, activeConnections);
        worker->setObservation(observation);
        worker->moveToThread(thread);
        thread->deleteWhenFinished(worker);
        worker->setHistory(&history);
        QObject::connect(worker, &Worker::trafficBatch, q, &Gateway::trafficBatch, Qt::QueuedConnection);
        QObject::connect(worker, &Worker::drained, q, [this] {
            if (++workersDrained == workers.size()) {
                finishStop();
            }
        }, Qt::QueuedConnection);
        if (workerNiceness > 0) {
            QObject::connect(thread, &QThread::started, thread, [niceness = workerNiceness] { lowerThisThreadsPriority(niceness); },
                             Qt::DirectConnection);
        }
        thread->start();
        threads.append(thread);
        workers.append(worker);
    }
    // Health checks and JWKS fetches wait on the network and must not delay a worker's
    // requests, nor the caller's thread (the GUI): they get a thread of their own.
    auto *thread = new EngineThread;
    thread->setObjectName(QStringLiteral("gatehouse-health"));
    health = new HealthMonitor;
    health->moveToThread(thread);
    thread->deleteWhenFinished(health);
    jwks = new JwksRefresher;
    jwks->moveToThread(thread);
    thread->deleteWhenFinished(jwks);
    thread->start();
    threads.append(thread);
}

void GatewayPrivate::sendConfig()
{
    for (Worker *worker : std::as_const(workers)) {
        QMetaObject::invokeMethod(worker, [worker, snapshot = config] { worker->setConfig(snapshot); },
                                  Qt::QueuedConnection);
    }
    QMetaObject::invokeMethod(health, [monitor = health, snapshot = config] { monitor->apply(snapshot); },
                              Qt::QueuedConnection);
    QMetaObject::invokeMethod(jwks, [refresher = jwks, snapshot = config] { refresher->apply(snapshot->jwt); },
                              Qt::QueuedConnection);
}

void GatewayPrivate::finishStop()
{
    if (!stopping) {
        return;
    }
    stopping = false;
    if (drainTimer) {
        drainTimer->stop();
    }
    for (QThread *thread : std::as_const(threads)) {
        thread->quit();
    }
    for (QThread *thread : std::as_const(threads)) {
        thread->wait();
        delete thread;
    }
    threads.clear();
    workers.clear();
    health = nullptr;
    jwks = nullptr;
    services.reset();
    running = false;
    Q_EMIT q->stopped();
}

Gateway::Gateway(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<GatewayPrivate>(this))
{
    qRegisterMetaType<QList<gatehouse::engine::TrafficEvent>>();
    qRegisterMetaType<gatehouse::engine::GatewayError>();
    qRegisterMetaType<QList<gatehouse::engine::ListenerInfo>>();
}

Gateway::~Gateway()
{
    if (!d->threads.isEmpty()) {
        qDeleteAll(d->listeners);
        d->listeners.clear();
        d->stopping = true;
        d->finishStop();
    }
}

bool Gateway::start(const profile::Profile &profile)
{
    if (d->running) {
        return apply(profile);
    }
    // Before the first listener and worker: each connection needs a descriptor (SPEC §7.1).
    const DescriptorLimit limit = raiseDescriptorLimit();
    qCDebug(lcGateway) << "open files limit" << limit.soft << "of" << limit.hard;
    CompileResult compiled = GatewayConfig::compile(profile, workerCount(), nullptr, d->secrets);
    if (!compiled.config) {
        d->lastError = { GatewayError::Kind::InvalidProfile, compiled.errors };
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    auto services = std::make_unique<ServiceHost>();
    QStringList errors;
    if (!services->apply(profile.services, errors)) {
        d->lastError = { GatewayError::Kind::BindFailed, errors };
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    auto tls = ListenerTlsSet::load(profile, errors);
    if (!tls) {
        d->lastError = { GatewayError::Kind::InvalidProfile, errors };
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    d->startWorkers();
    d->config = compiled.config;
    d->sendConfig();
    QHash<QString, Listener *> bound;
    if (!d->bindListeners(profile, bound, errors)) {
        d->lastError = { GatewayError::Kind::BindFailed, errors };
        d->stopping = true;
        d->finishStop();
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    d->services = std::move(services);
    d->listeners = bound;
    d->tls = std::move(*tls);
    d->configureListeners();
    if (!d->certificateTimer) {
        // A renewed certificate file is picked up within seconds, as with a SIGHUP to nginx.
        d->certificateTimer = new QTimer(this);
        d->certificateTimer->setInterval(2000);
        connect(d->certificateTimer, &QTimer::timeout, this, [this] { d->reloadCertificates(); });
    }
    d->certificateTimer->start();
    d->running = true;
    qCInfo(lcGateway) << "profile" << profile.name << "running with" << d->workers.size() << "workers";
    Q_EMIT started(listeners());
    return true;
}

bool Gateway::apply(const profile::Profile &profile)
{
    if (!d->running) {
        return start(profile);
    }
    CompileResult compiled = GatewayConfig::compile(profile, int(d->workers.size()), d->config.get(), d->secrets);
    if (!compiled.config) {
        d->lastError = { GatewayError::Kind::InvalidProfile, compiled.errors };
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    QStringList errors;
    auto tls = ListenerTlsSet::load(profile, errors);
    if (!tls) {
        d->lastError = { GatewayError::Kind::InvalidProfile, errors };
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    QHash<QString, Listener *> bound;
    if (!d->bindListeners(profile, bound, errors) || !d->services->apply(profile.services, errors)) {
        for (auto it = bound.begin(); it != bound.end(); ++it) {
            if (!d->listeners.contains(it.key())) {
                delete it.value();
            }
        }
        d->lastError = { GatewayError::Kind::BindFailed, errors };
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    for (auto it = d->listeners.begin(); it != d->listeners.end(); ++it) {
        if (!bound.contains(it.key())) {
            delete it.value();
        }
    }
    for (Listener *listener : std::as_const(bound)) {
        listener->setMaxConnections(profile.limits.maxConnections);
    }
    d->listeners = bound;
    d->config = compiled.config;
    d->tls = std::move(*tls);
    d->configureListeners();
    d->sendConfig();
    qCInfo(lcGateway) << "profile" << profile.name << "applied";
    Q_EMIT profileApplied();
    return true;
}

void Gateway::stop(std::chrono::milliseconds drainTimeout)
{
    if (!d->running || d->stopping) {
        return;
    }
    d->stopping = true;
    if (d->certificateTimer) {
        d->certificateTimer->stop();
    }
    qDeleteAll(d->listeners);
    d->listeners.clear();
    d->workersDrained = 0;
    for (Worker *worker : std::as_const(d->workers)) {
        QMetaObject::invokeMethod(worker, [worker] { worker->drain(); }, Qt::QueuedConnection);
    }
    if (!d->drainTimer) {
        d->drainTimer = new QTimer(this);
        d->drainTimer->setSingleShot(true);
        connect(d->drainTimer, &QTimer::timeout, this, [this] {
            qCWarning(lcGateway) << "drain timeout: closing the remaining connections";
            d->finishStop();
        });
    }
    d->drainTimer->start(drainTimeout);
}

bool Gateway::isRunning() const
{
    return d->running;
}

bool Gateway::isDraining() const
{
    return d->stopping;
}

GatewayError Gateway::lastError() const
{
    return d->lastError;
}

QList<ListenerInfo> Gateway::listeners() const
{
    QList<ListenerInfo> result;
    if (!d->config) {
        return result;
    }
    const QList<profile::Listener> &listen = d->config->profile.listen;
    for (qsizetype i = 0; i < listen.size(); ++i) {
        const Listener *listener = d->listeners.value(listenerKey(listen, i));
        if (listener) {
            result.append({ listen.at(i).bind.host, listener->serverPort(), listen.at(i).tls.has_value() });
        }
    }
    return result;
}

QList<ServiceInfo> Gateway::services() const
{
    return d->services ? d->services->services() : QList<ServiceInfo> {};
}

const profile::Profile &Gateway::profile() const
{
    static const profile::Profile empty;
    return d->config ? d->config->profile : empty;
}

quint64 Gateway::requestsServed() const
{
    quint64 total = 0;
    for (const Worker *worker : std::as_const(d->workers)) {
        total += worker->requestsServed();
    }
    return total;
}

bool Gateway::revokeToken(const QByteArray &token, QString *error)
{
    const auto entry = revocationEntryForUnverified(token);
    if (!entry) {
        *error = QStringLiteral("not a JWT (header.payload.signature with a JSON payload)");
        return false;
    }
    return revoke(*entry, error);
}

bool Gateway::revokeJti(const QString &jti, QString *error)
{
    if (jti.isEmpty()) {
        *error = QStringLiteral("empty jti");
        return false;
    }
    // Without the token its exp is unknown, so the jti stays refused for the process's life.
    return revoke({ "jti:" + jti.toUtf8(), std::numeric_limits<qint64>::max() }, error);
}

bool Gateway::revoke(const RevocationEntry &revoked, QString *error)
{
    if (!d->config) {
        *error = QStringLiteral("the gateway is not running");
        return false;
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // A token passes until exp + leeway (JwtVerifier), so its revocation lasts as long (SPEC
    // §7.1). The token names no JWT profile, so the longest leeway of the running ones covers
    // whichever route it is sent to; Redis keys expire at the same moment.
    RevocationEntry entry = revoked;
    const qint64 leeway = longestLeewaySeconds(d->config->profile);
    if (entry.untilSeconds < std::numeric_limits<qint64>::max() - leeway) {
        entry.untilSeconds += leeway;
    }
    if (!d->config->revocations->revoke(entry, now, error)) {
        return false;
    }
    // Shared stores too, so the other gateways using them refuse the token as well.
    for (const auto &store : std::as_const(d->config->redisRevocations)) {
        if (!store->revoke(entry, now, error)) {
            return false;
        }
    }
    qCInfo(lcGateway) << "revoked a token until" << entry.untilSeconds;
    return true;
}

void Gateway::setSecretStore(SecretStore *store)
{
    d->secrets = store;
}

void Gateway::setObserved(bool observed)
{
    d->observation->headers.store(observed, std::memory_order_relaxed);
}

void Gateway::setWorkerNiceness(int niceness)
{
    d->workerNiceness = std::clamp(niceness, 0, 19);
}

void Gateway::setBodyCapture(BodyCapturePolicy policy)
{
    d->observation->bodyLimit.store(std::max<qsizetype>(0, policy.limit), std::memory_order_relaxed);
    d->observation->keepStartOfLargerBodies.store(policy.keepStartOfLarger, std::memory_order_relaxed);
}

QByteArray Gateway::metricsText() const
{
    MetricsSnapshot sum;
    for (const Worker *worker : std::as_const(d->workers)) {
        sum.add(worker->metrics().snapshot());
    }
    return renderPrometheus(sum, { upstreamStatus(), d->activeConnections->load(std::memory_order_relaxed) });
}

QList<TrafficEvent> Gateway::recentRequests(const RequestQuery &query) const
{
    return d->history.query(query);
}

QList<StoreStatus> Gateway::storeStatus() const
{
    return d->config ? engine::storeStatus(*d->config) : QList<StoreStatus> {};
}

QList<UpstreamStatus> Gateway::upstreamStatus() const
{
    return d->config ? engine::upstreamStatus(*d->config, steadyNowMs()) : QList<UpstreamStatus> {};
}

RouteExplanation Gateway::explainRoute(const QByteArray &method, const QString &url, const QList<http::Header> &headers) const
{
    if (!d->config) {
        RouteExplanation none;
        none.error = QStringLiteral("no profile is running");
        return none;
    }
    return engine::explainRoute(*d->config, method, url, headers);
}

} // namespace gatehouse::engine
