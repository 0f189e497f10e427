#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "ui/logs/LogEntry.h"

namespace gatehouse::ui {

// The latest diagnostic messages (default 20,000, oldest dropped), one insert per batch.
class LogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogModel)
public:
    enum Column { Time, Level, Category, Message, ColumnCount };
    enum Role { SeverityRole = Qt::UserRole + 1 };

    explicit LogModel(int capacity = 20'000, QObject *parent = nullptr);

    void appendBatch(const QList<LogEntry> &entries);
    void clear();
    const LogEntry &entry(int row) const { return m_entries.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int m_capacity;
    QList<LogEntry> m_entries;
};

} // namespace gatehouse::ui
