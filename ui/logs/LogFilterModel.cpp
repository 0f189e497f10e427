#include "LogFilterModel.h"

#include "ui/logs/LogEntry.h"
#include "ui/logs/LogModel.h"

namespace gatehouse::ui {

LogFilterModel::LogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void LogFilterModel::setMinimumLevel(QtMsgType level)
{
    m_minimumSeverity = severity(level);
    invalidateRowsFilter();
}

void LogFilterModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateRowsFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const auto *logs = static_cast<const LogModel *>(sourceModel());
    const LogEntry &e = logs->entry(sourceRow);
    if (severity(e.level) < m_minimumSeverity) {
        return false;
    }
    return m_text.isEmpty() || e.message.contains(m_text, Qt::CaseInsensitive) || e.category.contains(m_text, Qt::CaseInsensitive);
}

} // namespace gatehouse::ui
