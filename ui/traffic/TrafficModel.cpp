#include "TrafficModel.h"

#include <algorithm>

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QLocale>
#include <QTimer>

namespace gatehouse::ui {

namespace {

QString sizeText(qint64 bytes)
{
    return bytes < 1024 ? QStringLiteral("%1 B").arg(bytes) : QLocale::system().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

// Status classes at a glance, readable on light and dark palettes.
QColor statusColor(int status)
{
    if (status >= 500) {
        return QColor(0xd0, 0x30, 0x30);
    }
    if (status >= 400) {
        return QColor(0xc0, 0x7a, 0x00);
    }
    if (status >= 300) {
        return QColor(0x2f, 0x6f, 0xc0);
    }
    if (status >= 200 || status == 101) {
        return QColor(0x2e, 0x8b, 0x3e);
    }
    return QColor(0x80, 0x80, 0x80);
}

} // namespace

TrafficModel::TrafficModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{
}

void TrafficModel::appendBatch(const QList<engine::TrafficEvent> &events)
{
    if (events.isEmpty()) {
        return;
    }
    if (m_paused) {
        m_dropped += events.size();
        Q_EMIT droppedWhilePausedChanged(m_dropped);
        return;
    }
    // A batch larger than the model keeps only its newest events.
    m_waiting.push_back(events.size() > m_capacity ? events.last(m_capacity) : events);
    if (!m_insertQueued) {
        insertWaiting();
    }
}

bool TrafficModel::hasWaitingRows() const
{
    return !m_waiting.empty() || (!m_batches.empty() && m_end < m_batches.back().start + m_batches.back().events.size());
}

void TrafficModel::insertWaiting()
{
    m_insertQueued = false;
    int budget = kRowsPerTurn;
    while (budget > 0 && hasWaitingRows()) {
        if (m_batches.empty() || m_end == m_batches.back().start + m_batches.back().events.size()) {
            m_batches.push_back({ m_waiting.front(), m_end });
            m_waiting.pop_front();
        }
        const Batch &last = m_batches.back();
        const int rows = int(std::min<qint64>(budget, last.start + last.events.size() - m_end));
        insertRows(rows);
        budget -= rows;
    }
    if (hasWaitingRows()) {
        // The rest in the next event-loop turns: the window stays responsive between them.
        m_insertQueued = true;
        QTimer::singleShot(0, this, &TrafficModel::insertWaiting);
    }
}

void TrafficModel::insertRows(int rows)
{
    const int count = rowCount();
    const int overflow = std::max(0, count + rows - m_capacity);
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        m_first += overflow;
        while (!m_batches.empty() && m_batches.front().start + m_batches.front().events.size() <= m_first) {
            m_batches.pop_front();
        }
        endRemoveRows();
    }
    beginInsertRows({}, count - overflow, count - overflow + rows - 1);
    m_end += rows;
    endInsertRows();
}

void TrafficModel::clear()
{
    beginResetModel();
    m_batches.clear();
    m_waiting.clear();
    m_first = m_end;
    m_dropped = 0;
    endResetModel();
    Q_EMIT droppedWhilePausedChanged(0);
}

void TrafficModel::setPaused(bool paused)
{
    if (paused == m_paused) {
        return;
    }
    m_paused = paused;
    if (paused) {
        m_dropped = 0;
        Q_EMIT droppedWhilePausedChanged(0);
    }
    Q_EMIT pausedChanged(paused);
}

const engine::TrafficEvent &TrafficModel::event(int row) const
{
    Q_ASSERT(row >= 0 && row < rowCount());
    const qint64 position = m_first + row;
    // The last batch that starts at or before the row's position holds it.
    const auto after = std::upper_bound(m_batches.cbegin(), m_batches.cend(), position,
                                        [](qint64 wanted, const Batch &batch) { return wanted < batch.start; });
    const Batch &batch = *std::prev(after);
    return batch.events.at(position - batch.start);
}

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_end - m_first);
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const engine::TrafficEvent &e = event(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(e, index.column());
    case SortRole:
        switch (index.column()) {
        case Time: return e.timeMs;
        case Status: return e.status;
        case Duration: return e.totalMs;
        case Size: return e.bytesOut;
        default: return display(e, index.column());
        }
    case Qt::ForegroundRole:
        return index.column() == Status ? QVariant(QBrush(statusColor(e.status))) : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == Status || index.column() == Duration || index.column() == Size) {
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    case Qt::ToolTipRole:
        return e.error.isEmpty() ? QVariant() : QVariant(QString::fromLatin1(e.error));
    default:
        return {};
    }
}

QVariant TrafficModel::display(const engine::TrafficEvent &e, int column) const
{
    switch (column) {
    case Time: return QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case Method: return QString::fromLatin1(e.method);
    case Host: return QString::fromLatin1(e.host);
    case Path: return QString::fromUtf8(e.path);
    case Route: return e.route.isEmpty() ? QStringLiteral("—") : e.route;
    case Target: return e.target.isEmpty() ? QStringLiteral("—") : e.target;
    case Status: return e.status;
    case Duration: return QStringLiteral("%1 ms").arg(e.totalMs, 0, 'f', e.totalMs < 10 ? 2 : 0);
    case Size: return sizeText(e.bytesOut);
    default: return {};
    }
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    static const char *const titles[] = { "Time", "Method", "Host", "Path", "Route", "Target", "Status", "Duration", "Size" };
    return section >= 0 && section < ColumnCount ? QVariant(tr(titles[section])) : QVariant();
}

} // namespace gatehouse::ui
