#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include "engine/core/TrafficEvent.h"

namespace gatehouse::ui {

// Hands the engine's traffic batches on at most every `interval`: a batch that comes after a
// quiet spell goes on at once, the ones that follow within the interval wait and go on together,
// in one event-loop turn. So under load the views repaint four times a second, not once per
// worker batch, and a single request still shows up the moment it is done.
class BatchThrottle final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchThrottle)
public:
    explicit BatchThrottle(std::chrono::milliseconds interval = std::chrono::milliseconds(250), QObject *parent = nullptr);

    void add(const QList<gatehouse::engine::TrafficEvent> &events);

Q_SIGNALS:
    void batch(const QList<gatehouse::engine::TrafficEvent> &events);

private:
    void release();

    std::chrono::milliseconds m_interval;
    QTimer m_timer;
    QElapsedTimer m_sinceRelease;
    QList<QList<engine::TrafficEvent>> m_pending;
};

} // namespace gatehouse::ui
