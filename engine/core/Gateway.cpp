#include "Gateway.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include <QDateTime>
#include <QMetaMethod>

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/core/DescriptorLimit.h"
#include "engine/core/GatewayPrivate.h"
#include "engine/core/ListenerKey.h"
#include "engine/metrics/PrometheusText.h"
#include "engine/pipeline/RouteExplainer.h"

namespace gatehouse::engine {

QString ListenerInfo::url() const
{
    const QString shownHost = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("%1://%2:%3").arg(tls ? QStringLiteral("https") : QStringLiteral("http"), shownHost).arg(port);
}

namespace {

qint64 longestLeewaySeconds(const profile::Profile &profile)
{
    qint64 longest = 0;
    for (const profile::JwtProfile &jwt : profile.jwt) {
        longest = std::max<qint64>(longest, std::chrono::ceil<std::chrono::seconds>(jwt.leeway).count());
    }
    return longest;
}

} // namespace

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

void Gateway::connectNotify(const QMetaMethod &signal)
{
    if (signal == QMetaMethod::fromSignal(&Gateway::trafficBatch)) {
        d->observation->events.store(true, std::memory_order_relaxed);
    }
}

void Gateway::disconnectNotify(const QMetaMethod &signal)
{
    // An invalid method: everything was disconnected at once. Qt may call this with its
    // connection lock held (a receiver being destroyed), where isSignalConnected() would wait for
    // that lock forever: whether anyone still listens is asked afterwards, from the event loop.
    if (!signal.isValid() || signal == QMetaMethod::fromSignal(&Gateway::trafficBatch)) {
        QMetaObject::invokeMethod(this, [this] {
            d->observation->events.store(isSignalConnected(QMetaMethod::fromSignal(&Gateway::trafficBatch)),
                                         std::memory_order_relaxed);
        }, Qt::QueuedConnection);
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
    CompileResult compiled = GatewayConfig::compile(profile, GatewayPrivate::workerCount(), nullptr, d->secrets);
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
    if (!d->applyServices(profile.services, errors)) {
        d->lastError = { GatewayError::Kind::BindFailed, errors };
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
        d->finishStop(); // the services started above stop too
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
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
    auto tls = ListenerTlsSet::load(profile, errors, &d->tls);
    if (!tls) {
        d->lastError = { GatewayError::Kind::InvalidProfile, errors };
        Q_EMIT errorOccurred(d->lastError);
        return false;
    }
    QHash<QString, Listener *> bound;
    if (!d->bindListeners(profile, bound, errors) || !d->applyServices(profile.services, errors)) {
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
    return d->services && d->running ? d->services->services() : QList<ServiceInfo> {};
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

void Gateway::setServiceRunner(std::unique_ptr<ServiceRunner> runner)
{
    d->services = std::move(runner);
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
