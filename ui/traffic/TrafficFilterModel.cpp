#include "TrafficFilterModel.h"

#include "ui/traffic/TrafficModel.h"

namespace gatehouse::ui {

TrafficFilterModel::TrafficFilterModel(TrafficModel *source, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_source(source)
{
    setSourceModel(source);
    setSortRole(TrafficModel::SortRole);
}

void TrafficFilterModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateRowsFilter();
}

void TrafficFilterModel::setRoute(const QString &route)
{
    m_route = route;
    invalidateRowsFilter();
}

void TrafficFilterModel::setStatusClass(int hundreds)
{
    m_statusClass = hundreds;
    invalidateRowsFilter();
}

void TrafficFilterModel::setMethod(const QString &method)
{
    m_method = method.toUpper().toLatin1();
    invalidateRowsFilter();
}

bool TrafficFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const engine::TrafficEvent &e = m_source->event(sourceRow);
    if (!m_route.isEmpty() && e.route != m_route) {
        return false;
    }
    if (m_statusClass != 0 && e.status / 100 != m_statusClass) {
        return false;
    }
    if (!m_method.isEmpty() && e.method != m_method) {
        return false;
    }
    if (m_text.isEmpty()) {
        return true;
    }
    const auto has = [this](const QString &field) { return field.contains(m_text, Qt::CaseInsensitive); };
    return has(QString::fromLatin1(e.method)) || has(QString::fromLatin1(e.host)) || has(QString::fromUtf8(e.path))
        || has(e.route) || has(e.target) || has(QString::number(e.status)) || has(QString::fromLatin1(e.requestId))
        || has(QString::fromLatin1(e.client));
}

} // namespace gatehouse::ui
