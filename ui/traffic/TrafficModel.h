#pragma once

#include <deque>

#include <QAbstractTableModel>
#include <QList>

#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::ui {

// The latest requests, oldest first, at most `capacity` rows: a batch from the engine is one
// insert (and, once full, one removal of the oldest rows), so the view keeps up at any rate; a
// large batch goes in kRowsPerTurn rows per event-loop turn, so no turn holds the window long.
// The model keeps the engine's batches themselves (implicitly shared lists), so a request is
// never copied on its way to the table.
class TrafficModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficModel)
public:
    enum Column { Time, Method, Host, Path, Route, Target, Status, Duration, Size, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 }; // numbers as numbers, for sorting

    explicit TrafficModel(int capacity = 10'000, QObject *parent = nullptr);

    void appendBatch(const QList<engine::TrafficEvent> &events);
    void clear();
    // Paused, batches are counted and dropped, so the table holds still for reading.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    qint64 droppedWhilePaused() const { return m_dropped; }
    int capacity() const { return m_capacity; }

    const engine::TrafficEvent &event(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void pausedChanged(bool paused);
    // A dropped batch changes no rows, so views showing the count learn of it here.
    void droppedWhilePausedChanged(qint64 dropped);

private:
    static constexpr int kRowsPerTurn = 2000;

    QVariant display(const engine::TrafficEvent &event, int column) const;
    bool hasWaitingRows() const;
    void insertWaiting();
    void insertRows(int rows);

    struct Batch
    {
        QList<engine::TrafficEvent> events;
        qint64 start; // the position of events[0] in the stream of rows ever added
    };

    int m_capacity;
    std::deque<Batch> m_batches; // oldest first; the first may hold rows already removed, the last rows not yet inserted
    std::deque<QList<engine::TrafficEvent>> m_waiting; // batches not yet in m_batches
    bool m_insertQueued = false;
    qint64 m_first = 0; // stream position of row 0
    qint64 m_end = 0; // stream position after the last row
    bool m_paused = false;
    qint64 m_dropped = 0;
};

} // namespace gatehouse::ui
