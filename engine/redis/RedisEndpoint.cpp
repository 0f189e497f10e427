#include "RedisEndpoint.h"

#include <algorithm>
#include <optional>

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/profile/Values.h"

namespace gatehouse::engine {

namespace {

constexpr qint64 kMinBackoffNs = 100'000'000;
constexpr qint64 kMaxBackoffNs = 2'000'000'000;

} // namespace

RedisEndpoint::RedisEndpoint(const QString &url, QString purpose, std::chrono::milliseconds timeout)
    : m_url(url)
    , m_purpose(std::move(purpose))
    , m_timeoutNs(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count())
{
    QString error;
    if (!profile::isValidRateLimitStore(url, &error) || !url.startsWith(u"redis://")) {
        qCWarning(lcRedis).noquote() << m_purpose << url << "is not a Redis URL:" << error;
        return;
    }
    QStringView rest = QStringView(url).mid(8);
    const qsizetype slash = rest.indexOf(u'/');
    if (slash >= 0) {
        m_db = rest.mid(slash + 1).toInt();
        rest = rest.left(slash);
    }
    const std::optional<profile::HostPort> hostPort = profile::parseHostPort(rest);
    m_host = hostPort->host.toUtf8();
    m_port = hostPort->port;
    m_valid = true;
}

bool RedisEndpoint::mayTry(qint64 nowNs)
{
    if (!m_valid) {
        return false;
    }
    qint64 retryAtNs = m_retryAtNs.load(std::memory_order_acquire);
    if (retryAtNs == 0) {
        return true;
    }
    return nowNs >= retryAtNs && m_retryAtNs.compare_exchange_strong(retryAtNs, nowNs + m_timeoutNs);
}

QString RedisEndpoint::lastError() const
{
    if (!m_valid) {
        return QStringLiteral("not a Redis URL");
    }
    const std::lock_guard lock(m_mutex);
    return m_lastError;
}

void RedisEndpoint::markFailure(const QString &error)
{
    const std::lock_guard lock(m_mutex);
    m_lastError = error;
    const bool wasUp = m_backoffNs == 0;
    m_backoffNs = wasUp ? kMinBackoffNs : std::min(m_backoffNs * 2, kMaxBackoffNs);
    m_retryAtNs.store(steadyNowNs() + m_backoffNs, std::memory_order_release);
    if (wasUp) {
        qCWarning(lcRedis).noquote() << m_purpose << m_url << "unavailable:" << error << "- until it is back, calls give up at once";
    }
}

void RedisEndpoint::markSuccess()
{
    if (m_retryAtNs.load(std::memory_order_acquire) == 0) {
        return;
    }
    const std::lock_guard lock(m_mutex);
    if (m_backoffNs != 0) {
        qCInfo(lcRedis).noquote() << m_purpose << m_url << "is back";
    }
    m_backoffNs = 0;
    m_retryAtNs.store(0, std::memory_order_release);
}

} // namespace gatehouse::engine
