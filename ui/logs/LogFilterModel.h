#pragma once

#include <QSortFilterProxyModel>

namespace gatehouse::ui {

// The Logs view's filter: at least a level, and free text over source and message.
class LogFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogFilterModel)
public:
    explicit LogFilterModel(QObject *parent = nullptr);
    void setMinimumLevel(QtMsgType level);
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_minimumSeverity = 0;
    QString m_text;
};

} // namespace gatehouse::ui
