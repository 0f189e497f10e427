#pragma once

#include <memory>

#include <QObject>
#include <QTimer>
#include <QUrl>

#include "engine/profile/Profile.h"
#include "engine/upstream/TargetState.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace gatehouse::engine {

// Active health checks of one target: every `interval` a GET of `path`, answered within
// `timeout` with a status in the expected range, counts as a success. `unhealthy_after`
// failures in a row take the target out of balancing, `healthy_after` successes bring it back.
// Lives on the health thread (see HealthMonitor); writes only TargetState atomics.
class HealthChecker final : public QObject
{
    Q_OBJECT
public:
    // `tls` (CA file absolute) is how an https:// target is verified, as the proxy does.
    HealthChecker(QNetworkAccessManager &network, std::shared_ptr<TargetState> state, QString upstream,
                  QString targetUrl, profile::HealthCheck config, profile::UpstreamTls tls, QObject *parent = nullptr);
    ~HealthChecker() override;

    bool checks(const TargetState *state, const QString &targetUrl, const profile::HealthCheck &config,
                const profile::UpstreamTls &tls) const;
    void start();

private:
    void probe();
    void onFinished();
    void record(bool success, const QString &outcome);

    QNetworkAccessManager &m_network;
    std::shared_ptr<TargetState> m_state;
    QString m_upstream;
    QString m_targetUrl;
    profile::HealthCheck m_config;
    profile::UpstreamTls m_tls;
    QUrl m_url;
    QTimer m_timer;
    QNetworkReply *m_reply = nullptr;
    int m_successes = 0;
    int m_failures = 0;
};

} // namespace gatehouse::engine
