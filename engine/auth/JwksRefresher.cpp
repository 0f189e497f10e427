#include "JwksRefresher.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include "engine/auth/JwtAuthConfig.h"
#include "engine/auth/JwtKeyLoader.h"
#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"

namespace gatehouse::engine {

namespace {

constexpr qint64 kRefreshMs = 5 * 60 * 1000;
constexpr qint64 kEarliestRotationCheckMs = 10 * 1000;
constexpr qint64 kFirstRetryMs = 2 * 1000;
constexpr int kFetchTimeoutMs = 5000;
constexpr qint64 kMaxDocumentBytes = 1024 * 1024;

} // namespace

JwksRefresher::JwksRefresher() = default;

JwksRefresher::~JwksRefresher()
{
    for (Source &source : m_sources) {
        drop(source.reply);
    }
}

void JwksRefresher::drop(QNetworkReply *reply)
{
    if (reply) {
        reply->disconnect(this); // an abandoned fetch reports nothing
        reply->abort();
        reply->deleteLater();
    }
}

void JwksRefresher::apply(const std::vector<JwtAuthConfig> &profiles)
{
    if (!m_network) {
        m_network = std::make_unique<QNetworkAccessManager>();
        m_timer = new QTimer(this);
        m_timer->setInterval(1000);
        connect(m_timer, &QTimer::timeout, this, &JwksRefresher::tick);
        m_timer->start();
    }
    std::vector<Source> sources;
    for (const JwtAuthConfig &jwt : profiles) {
        if (jwt.jwksUrl.isEmpty()) {
            continue;
        }
        Source source { jwt.name, jwt.jwksUrl, jwt.verifier };
        for (Source &old : m_sources) {
            if (old.profile == jwt.name && old.url == jwt.jwksUrl) {
                source.nextFetchMs = old.nextFetchMs;
                source.lastFetchMs = old.lastFetchMs;
                source.failures = old.failures;
                std::swap(source.reply, old.reply);
            }
        }
        const auto keys = source.verifier->keys();
        if (!keys || keys->keys.isEmpty()) {
            source.nextFetchMs = 0; // a new profile, or one whose first fetch failed: now
        }
        sources.push_back(std::move(source));
    }
    for (Source &old : m_sources) {
        drop(old.reply);
    }
    m_sources = std::move(sources);
    tick();
}

void JwksRefresher::tick()
{
    const qint64 now = steadyNowMs();
    for (Source &source : m_sources) {
        const bool rotated = source.verifier->takeUnknownKeySeen() && now - source.lastFetchMs >= kEarliestRotationCheckMs;
        if (!source.reply && (now >= source.nextFetchMs || rotated)) {
            fetch(source, now);
        }
    }
}

void JwksRefresher::fetch(Source &source, qint64 nowMs)
{
    QNetworkRequest request { QUrl(source.url) };
    request.setTransferTimeout(kFetchTimeoutMs);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setRawHeader("Accept", "application/json, application/jwk-set+json");
    source.lastFetchMs = nowMs;
    source.reply = m_network->get(request);
    const QString profile = source.profile;
    QNetworkReply *reply = source.reply;
    connect(reply, &QNetworkReply::finished, this, [this, profile, reply] { finished(profile, reply); });
}

void JwksRefresher::finished(const QString &profile, QNetworkReply *reply)
{
    reply->deleteLater();
    auto source = std::find_if(m_sources.begin(), m_sources.end(), [reply](const Source &s) { return s.reply == reply; });
    if (source == m_sources.end()) {
        return;
    }
    source->reply = nullptr;
    QString problem;
    std::shared_ptr<const JwtKeySet> keys;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError && status == 0) {
        problem = reply->errorString();
    } else if (status != 200) {
        problem = QStringLiteral("HTTP status %1").arg(status);
    } else {
        const QByteArray body = reply->read(kMaxDocumentBytes + 1);
        keys = body.size() > kMaxDocumentBytes ? nullptr : parseJwks(body, &problem);
        if (body.size() > kMaxDocumentBytes) {
            problem = QStringLiteral("larger than 1 MiB");
        }
    }
    const qint64 now = steadyNowMs();
    if (!keys) {
        ++source->failures;
        const qint64 retry = std::min(kRefreshMs, kFirstRetryMs << std::min(source->failures - 1, 10));
        source->nextFetchMs = now + retry;
        qCWarning(lcAuth).noquote() << QStringLiteral("JWT profile '%1': cannot load the JWK Set from %2: %3; retrying in %4 s")
                                           .arg(profile, source->url, problem)
                                           .arg(retry / 1000);
        return;
    }
    if (source->failures > 0 || !source->verifier->keys()) {
        qCInfo(lcAuth).noquote() << QStringLiteral("JWT profile '%1': %2 keys from %3").arg(profile).arg(keys->keys.size()).arg(source->url);
    }
    source->failures = 0;
    source->nextFetchMs = now + kRefreshMs;
    source->verifier->setKeys(std::move(keys));
}

} // namespace gatehouse::engine
