#include "BatchThrottle.h"

namespace gatehouse::ui {

BatchThrottle::BatchThrottle(std::chrono::milliseconds interval, QObject *parent)
    : QObject(parent)
    , m_interval(interval)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &BatchThrottle::release);
}

void BatchThrottle::add(const QList<engine::TrafficEvent> &events)
{
    if (events.isEmpty()) {
        return;
    }
    m_pending.append(events); // shares the engine's list: nothing is copied
    if (m_timer.isActive()) {
        return;
    }
    const qint64 since = m_sinceRelease.isValid() ? m_sinceRelease.elapsed() : m_interval.count();
    if (since >= m_interval.count()) {
        release();
    } else {
        m_timer.start(m_interval - std::chrono::milliseconds(since));
    }
}

void BatchThrottle::release()
{
    m_sinceRelease.start();
    const QList<QList<engine::TrafficEvent>> pending = std::exchange(m_pending, {});
    for (const QList<engine::TrafficEvent> &events : pending) {
        Q_EMIT batch(events);
    }
}

} // namespace gatehouse::ui
