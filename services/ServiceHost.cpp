#include "ServiceHost.h"

#include <algorithm>

#include <QThread>

#include "engine/config/HostResolver.h"
#include "services/EchoServer.h"

namespace gatehouse::services {

using engine::ServiceInfo;

namespace {

bool sameService(const profile::Service &a, const profile::Service &b)
{
    return a.name == b.name && a.kind == b.kind && a.bind == b.bind && a.delay == b.delay
        && a.failRate == b.failRate;
}

} // namespace

ServiceHost::ServiceHost()
    : m_thread(new QThread)
    , m_home(new QObject)
{
    m_thread->setObjectName(QStringLiteral("gatehouse-services"));
    m_home->moveToThread(m_thread);
    QObject::connect(m_thread, &QThread::finished, m_home, &QObject::deleteLater);
    m_thread->start();
}

ServiceHost::~ServiceHost()
{
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

bool ServiceHost::apply(const QList<profile::Service> &services, QStringList &errors)
{
    QList<Running> next;
    QList<EchoServer *> started;
    for (const profile::Service &service : services) {
        auto kept = std::find_if(m_running.begin(), m_running.end(),
                                 [&service](const Running &r) { return sameService(r.config, service); });
        if (kept != m_running.end()) {
            next.append(*kept);
            continue;
        }
        QString error;
        const auto address = engine::resolveHost(service.bind.host, &error);
        const quint16 wantedPort = service.bind.port;
        EchoServer *server = nullptr;
        if (address) {
            // Created and bound on the service thread, which then owns its sockets.
            QMetaObject::invokeMethod(m_home, [&] {
                EchoServer::Options options;
                options.name = service.name;
                options.delay = service.delay;
                options.failRate = service.failRate;
                auto *candidate = new EchoServer(options, m_home);
                if (candidate->listen(*address, wantedPort)) {
                    server = candidate;
                } else {
                    error = candidate->errorString();
                    delete candidate;
                }
            }, Qt::BlockingQueuedConnection);
        }
        if (!server) {
            errors.append(QStringLiteral("service %1: cannot listen on %2:%3: %4")
                              .arg(service.name, service.bind.host)
                              .arg(wantedPort)
                              .arg(error));
            continue;
        }
        started.append(server);
        next.append({ service, server, server->serverPort() });
    }
    if (!errors.isEmpty()) {
        for (EchoServer *server : std::as_const(started)) {
            stopServer(server);
        }
        return false;
    }
    for (const Running &old : std::as_const(m_running)) {
        const bool kept = std::any_of(next.begin(), next.end(), [&old](const Running &r) { return r.server == old.server; });
        if (!kept) {
            stopServer(old.server);
        }
    }
    m_running = next;
    return true;
}

void ServiceHost::stopServer(EchoServer *server)
{
    QMetaObject::invokeMethod(m_home, [server] { delete server; }, Qt::BlockingQueuedConnection);
}

QList<ServiceInfo> ServiceHost::services() const
{
    QList<ServiceInfo> result;
    for (const Running &running : m_running) {
        result.append({ running.config.name, running.config.kind, running.config.bind.host, running.port });
    }
    return result;
}

} // namespace gatehouse::services
