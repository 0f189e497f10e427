#pragma once

#include <chrono>

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QWidget;

namespace gatehouse::ui {

// Lets a widget whose content changes many times a second repaint at most once per `interval`:
// a change soon after the last paint holds the widget's updates until the interval is up, then
// one repaint shows everything that changed meanwhile. A change after a quiet spell paints at
// once. The traffic table's model takes every engine batch as it comes (small steps for the
// event loop); only painting, the costly part at high rates, is limited.
class RepaintLimiter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RepaintLimiter)
public:
    RepaintLimiter(QWidget *widget, std::chrono::milliseconds interval);

    void contentChanged();

private:
    void release();

    QPointer<QWidget> m_widget;
    std::chrono::milliseconds m_interval;
    QTimer m_timer;
    QElapsedTimer m_sincePaint;
};

} // namespace gatehouse::ui
