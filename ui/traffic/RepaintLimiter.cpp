#include "RepaintLimiter.h"

#include <QWidget>

namespace gatehouse::ui {

RepaintLimiter::RepaintLimiter(QWidget *widget, std::chrono::milliseconds interval)
    : QObject(widget)
    , m_widget(widget)
    , m_interval(interval)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &RepaintLimiter::release);
}

void RepaintLimiter::contentChanged()
{
    if (m_timer.isActive() || !m_widget) {
        return; // already held; the release repaints
    }
    if (!m_sincePaint.isValid() || m_sincePaint.elapsed() >= m_interval.count()) {
        m_sincePaint.start(); // this change paints as usual
        return;
    }
    m_widget->setUpdatesEnabled(false);
    m_timer.start(m_interval - std::chrono::milliseconds(m_sincePaint.elapsed()));
}

void RepaintLimiter::release()
{
    m_sincePaint.start();
    if (m_widget) {
        m_widget->setUpdatesEnabled(true); // repaints the whole widget once
    }
}

} // namespace gatehouse::ui
