#include "AdminServer.h"

#include <QTcpServer>
#include <QTcpSocket>

#include "engine/admin/AdminConnection.h"
#include "engine/core/Gateway.h"
#include "engine/core/HostResolver.h"
#include "engine/core/Logging.h"
#include "engine/secrets/SecretResolver.h"

namespace gatehouse::engine {

namespace {

constexpr int kMaxConnections = 32;

} // namespace

AdminServer::AdminServer(Gateway &gateway, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_secrets(secrets)
    , m_api(gateway)
{
    // Whatever applied the new profile (SIGHUP, the app, a PUT on this very API): the admin
    // section may have changed. Queued, so a PUT's own connection is never torn down under it.
    connect(&m_gateway, &Gateway::profileApplied, this, [this] {
        QString error;
        if (!apply(m_gateway.profile(), &error)) {
            qCWarning(lcGateway).noquote() << error;
        }
    }, Qt::QueuedConnection);
}

AdminServer::~AdminServer() = default;

bool AdminServer::apply(const profile::Profile &profile, QString *error)
{
    if (!profile.admin) {
        m_server.reset();
        m_api.setToken({});
        return true;
    }
    const profile::Admin &admin = *profile.admin;
    QString problem;
    const auto token = resolveSecret(admin.token, profile.baseDir, m_secrets, &problem);
    if (!token) {
        *error = QStringLiteral("admin token: %1").arg(problem);
        return false;
    }
    if (!m_server || !(admin.bind == m_bind)) {
        const auto address = resolveHost(admin.bind.host, &problem);
        auto server = std::make_unique<QTcpServer>();
        server->setMaxPendingConnections(kMaxConnections);
        if (!address || !server->listen(*address, admin.bind.port)) {
            *error = QStringLiteral("admin API cannot listen on %1:%2: %3")
                         .arg(admin.bind.host)
                         .arg(admin.bind.port)
                         .arg(address ? server->errorString() : problem);
            return false;
        }
        connect(server.get(), &QTcpServer::newConnection, this, &AdminServer::onNewConnection);
        m_server = std::move(server);
        m_bind = admin.bind;
        qCInfo(lcGateway).noquote() << "admin API on" << url();
    }
    m_api.setToken(*token);
    return true;
}

QString AdminServer::url() const
{
    if (!m_server || !m_server->isListening()) {
        return {};
    }
    const QString host = m_server->serverAddress().toString();
    const QString shown = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("http://%1:%2").arg(shown).arg(m_server->serverPort());
}

void AdminServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (findChildren<AdminConnection *>(Qt::FindDirectChildrenOnly).size() >= kMaxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        new AdminConnection(socket, m_api, this);
    }
}

} // namespace gatehouse::engine
