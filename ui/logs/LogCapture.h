#pragma once

#include <QList>
#include <QObject>
#include <QTimer>

#include "ui/logs/LogEntry.h"

namespace gatehouse::ui {

// Collects Qt log messages from every thread (the engine's workers log state changes: health,
// ejections, circuits, reloads) and hands them to the UI thread in batches, like traffic. The
// previous message handler still gets every message, so stderr keeps its log. One at a time.
class LogCapture final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogCapture)
public:
    explicit LogCapture(QObject *parent = nullptr);
    ~LogCapture() override;

Q_SIGNALS:
    void batch(const QList<gatehouse::ui::LogEntry> &entries);

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message);
    void flush();

    QTimer m_timer;
};

} // namespace gatehouse::ui
