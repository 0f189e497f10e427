#pragma once

#include <memory>
#include <vector>

#include <QObject>
#include <QString>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace gatehouse::engine {

class JwtVerifier;
struct JwtAuthConfig;

// Fetches the JWK Sets of JWT profiles with `jwks: http(s)://…` on the gateway's background
// thread and hands each verifier its keys: at once when it has none, then every 5 minutes, and
// early (at most every 30 s) when tokens name a kid it does not know — a rotated key. A failed
// fetch keeps the old keys and retries with backoff.
class JwksRefresher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JwksRefresher)
public:
    JwksRefresher();
    ~JwksRefresher() override;

    // Queued from the gateway's thread with each new snapshot's JWT profiles.
    void apply(const std::vector<JwtAuthConfig> &profiles);

private:
    struct Source
    {
        QString profile;
        QString url;
        std::shared_ptr<JwtVerifier> verifier;
        qint64 nextFetchMs = 0;
        qint64 lastFetchMs = -1;
        int failures = 0;
        QNetworkReply *reply = nullptr;
    };

    void tick();
    void fetch(Source &source, qint64 nowMs);
    void finished(const QString &profile, QNetworkReply *reply);
    void drop(QNetworkReply *reply);

    std::unique_ptr<QNetworkAccessManager> m_network; // created on the background thread
    QTimer *m_timer = nullptr;
    std::vector<Source> m_sources;
};

} // namespace gatehouse::engine
