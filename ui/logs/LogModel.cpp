#include "LogModel.h"

#include <algorithm>

#include <QBrush>
#include <QColor>

namespace gatehouse::ui {

namespace {

// "gatehouse.engine.upstream" reads as "upstream" in a narrow column.
QString shortCategory(const QString &category)
{
    const qsizetype dot = category.lastIndexOf(QLatin1Char('.'));
    return dot < 0 ? category : category.mid(dot + 1);
}

} // namespace

LogModel::LogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{
}

void LogModel::appendBatch(const QList<LogEntry> &entries)
{
    if (entries.isEmpty()) {
        return;
    }
    const qsizetype incoming = std::min<qsizetype>(entries.size(), m_capacity);
    const qsizetype overflow = std::max<qsizetype>(0, m_entries.size() + incoming - m_capacity);
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow - 1));
        m_entries.remove(0, overflow);
        endRemoveRows();
    }
    beginInsertRows({}, int(m_entries.size()), int(m_entries.size() + incoming - 1));
    m_entries.append(entries.mid(entries.size() - incoming));
    endInsertRows();
}

void LogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const LogEntry &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return e.time.toString(QStringLiteral("HH:mm:ss.zzz"));
        case Level: return levelName(e.level);
        case Category: return shortCategory(e.category);
        case Message: return e.message;
        default: return {};
        }
    case Qt::ToolTipRole:
        return index.column() == Category ? QVariant(e.category) : QVariant(e.message);
    case SeverityRole:
        return severity(e.level);
    case Qt::ForegroundRole:
        if (index.column() != Level) {
            return {};
        }
        if (severity(e.level) >= severity(QtCriticalMsg)) {
            return QBrush(QColor(0xd0, 0x30, 0x30));
        }
        return severity(e.level) == severity(QtWarningMsg) ? QVariant(QBrush(QColor(0xc0, 0x7a, 0x00))) : QVariant();
    default:
        return {};
    }
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    static const char *const titles[] = { "Time", "Level", "Source", "Message" };
    return section >= 0 && section < ColumnCount ? QVariant(tr(titles[section])) : QVariant();
}

} // namespace gatehouse::ui
