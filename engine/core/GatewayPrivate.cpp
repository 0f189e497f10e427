#include "GatewayPrivate.h"

#include <cerrno>

#include <sys/resource.h>
#include <unistd.h>

#include "engine/base/Logging.h"
#include "engine/config/HostAllowList.h"
#include "engine/config/HostResolver.h"
#include "engine/core/EngineThread.h"
#include "engine/core/ListenerKey.h"
#include "engine/net/EpollEventDispatcher.h"
#include "engine/profile/Values.h"

namespace gatehouse::engine {

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
        auto *listener = new Listener(workers, activeConnections, q);
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
    QStringList ignored;
    applyServices({}, ignored); // every service stops; the runner stays for the next start
    running = false;
    Q_EMIT q->stopped();
}

bool GatewayPrivate::applyServices(const QList<profile::Service> &wanted, QStringList &errors)
{
    if (!services) {
        if (wanted.isEmpty()) {
            return true;
        }
        errors.append(QStringLiteral("services: built-in services run only in the gatehouse app (no service runner)"));
        return false;
    }
    return services->apply(wanted, errors);
}

} // namespace gatehouse::engine
