#include "TrafficModel.h"

#include <algorithm>

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QLocale>

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
    m_ring.resize(std::size_t(m_capacity));
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
    // A batch larger than the ring keeps only its newest events.
    const int incoming = int(std::min<qsizetype>(events.size(), m_capacity));
    const qsizetype skip = events.size() - incoming;
    const int overflow = std::max(0, m_count + incoming - m_capacity);
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        for (int i = 0; i < overflow; ++i) {
            m_ring[std::size_t((m_first + i) % m_capacity)] = {}; // release headers early
        }
        m_first = (m_first + overflow) % m_capacity;
        m_count -= overflow;
        endRemoveRows();
    }
    beginInsertRows({}, m_count, m_count + incoming - 1);
    for (int i = 0; i < incoming; ++i) {
        m_ring[std::size_t((m_first + m_count + i) % m_capacity)] = events.at(skip + i);
    }
    m_count += incoming;
    endInsertRows();
}

void TrafficModel::clear()
{
    beginResetModel();
    std::fill(m_ring.begin(), m_ring.end(), engine::TrafficEvent {});
    m_first = 0;
    m_count = 0;
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
    Q_ASSERT(row >= 0 && row < m_count);
    return m_ring[std::size_t((m_first + row) % m_capacity)];
}

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_count;
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
