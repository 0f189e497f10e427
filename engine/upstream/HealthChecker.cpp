#include "HealthChecker.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>

#include "engine/base/Logging.h"

namespace gatehouse::engine {

HealthChecker::HealthChecker(QNetworkAccessManager &network, std::shared_ptr<TargetState> state, QString upstream,
                             QString targetUrl, profile::HealthCheck config, profile::UpstreamTls tls, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_state(std::move(state))
    , m_upstream(std::move(upstream))
    , m_targetUrl(std::move(targetUrl))
    , m_config(std::move(config))
    , m_tls(std::move(tls))
    , m_url(m_targetUrl + m_config.path)
{
    m_timer.setInterval(m_config.interval);
    connect(&m_timer, &QTimer::timeout, this, &HealthChecker::probe);
}

HealthChecker::~HealthChecker()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

bool HealthChecker::checks(const TargetState *state, const QString &targetUrl, const profile::HealthCheck &config,
                           const profile::UpstreamTls &tls) const
{
    return m_state.get() == state && m_targetUrl == targetUrl && m_config == config && m_tls == tls;
}

void HealthChecker::start()
{
    m_timer.start();
    probe();
}

void HealthChecker::probe()
{
    if (m_reply) {
        return; // the last probe is still running (its own timeout ends it)
    }
    QNetworkRequest request(m_url);
    request.setTransferTimeout(int(m_config.timeout.count()));
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setRawHeader("User-Agent", "gatehouse-health-check");
    if (m_url.scheme() == QLatin1String("https")) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        if (!m_tls.ca.isEmpty()) {
            tls.setCaCertificates(QSslCertificate::fromPath(m_tls.ca, QSsl::Pem));
        }
        if (!m_tls.verify) {
            tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        }
        request.setSslConfiguration(tls);
        if (!m_tls.serverName.isEmpty()) {
            request.setPeerVerifyName(m_tls.serverName);
        }
    }
    m_reply = m_network.get(request);
    connect(m_reply, &QNetworkReply::finished, this, &HealthChecker::onFinished);
}

void HealthChecker::onFinished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status > 0) {
        const bool expected = status >= m_config.expectStatusMin && status <= m_config.expectStatusMax;
        record(expected, QStringLiteral("HTTP %1").arg(status));
        return;
    }
    record(false, reply->error() == QNetworkReply::OperationCanceledError
                      ? QStringLiteral("timed out after %1 ms").arg(m_config.timeout.count())
                      : reply->errorString());
}

void HealthChecker::record(bool success, const QString &outcome)
{
    m_state->setLastCheck(outcome);
    const bool healthy = m_state->healthy.load(std::memory_order_relaxed);
    if (success) {
        m_failures = 0;
        if (++m_successes >= m_config.healthyAfter && !healthy) {
            m_state->healthy.store(true, std::memory_order_relaxed);
            qCInfo(lcUpstream).noquote() << "upstream" << m_upstream << "target" << m_targetUrl << "is healthy again:"
                                         << m_successes << "checks passed";
        }
        return;
    }
    m_successes = 0;
    if (++m_failures >= m_config.unhealthyAfter && healthy) {
        m_state->healthy.store(false, std::memory_order_relaxed);
        qCWarning(lcUpstream).noquote() << "upstream" << m_upstream << "target" << m_targetUrl << "is unhealthy:"
                                        << m_failures << "checks failed, last:" << outcome;
    }
}

} // namespace gatehouse::engine
