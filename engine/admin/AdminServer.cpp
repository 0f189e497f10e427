#include "AdminServer.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>

#include "engine/admin/AdminConnection.h"
#include "engine/base/Logging.h"
#include "engine/config/HostResolver.h"
#include "engine/core/Gateway.h"
#include "engine/secrets/SecretResolver.h"
#include "engine/tls/ListenerTlsLoader.h"

namespace gatehouse::engine {

namespace {

constexpr int kMaxConnections = 32;

// The admin listener's TLS settings in Qt's terms: its traffic is light, so Qt's QSslServer
// serves it; the proxy's listeners use OpenSSL directly for speed.
std::optional<QSslConfiguration> adminTlsConfiguration(const profile::Profile &profile, QString *error)
{
    const profile::Admin &admin = *profile.admin;
    QStringList files;
    const QStringList hosts = { QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1"), admin.bind.host };
    const QList<tls::CertificatePem> certificates = tls::readListenerCertificates(*admin.tls, profile.baseDir, hosts, &files, error);
    if (certificates.isEmpty()) {
        *error = QStringLiteral("admin tls: %1").arg(*error);
        return std::nullopt;
    }
    const tls::CertificatePem &pem = certificates.first();
    const QList<QSslCertificate> chain = QSslCertificate::fromData(pem.certPem, QSsl::Pem);
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : { QSsl::Ec, QSsl::Rsa }) {
        key = QSslKey(pem.keyPem, algorithm, QSsl::Pem);
        if (!key.isNull()) {
            break;
        }
    }
    if (chain.isEmpty() || key.isNull()) {
        *error = QStringLiteral("admin tls: %1: not a PEM certificate and an unencrypted EC or RSA key").arg(pem.origin);
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

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
    if (!m_server || !(admin.bind == m_bind) || !(admin.tls == m_tls)) {
        std::unique_ptr<QTcpServer> server;
        if (admin.tls) {
            const auto configuration = adminTlsConfiguration(profile, error);
            if (!configuration) {
                return false;
            }
            auto sslServer = std::make_unique<QSslServer>();
            sslServer->setSslConfiguration(*configuration);
            server = std::move(sslServer);
        } else {
            server = std::make_unique<QTcpServer>();
        }
        const auto address = resolveHost(admin.bind.host, &problem);
        server->setMaxPendingConnections(kMaxConnections);
        if (!address || !server->listen(*address, admin.bind.port)) {
            *error = QStringLiteral("admin API cannot listen on %1:%2: %3")
                         .arg(admin.bind.host)
                         .arg(admin.bind.port)
                         .arg(address ? server->errorString() : problem);
            return false;
        }
        // After the TLS handshake, for an HTTPS admin listener.
        connect(server.get(), &QTcpServer::pendingConnectionAvailable, this, &AdminServer::onNewConnection);
        m_server = std::move(server);
        m_bind = admin.bind;
        m_tls = admin.tls;
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
    return QStringLiteral("%1://%2:%3").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"), shown).arg(m_server->serverPort());
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
