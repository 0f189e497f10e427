#pragma once

#include <QSortFilterProxyModel>

namespace gatehouse::ui {

class TrafficModel;

// What the traffic table shows of a TrafficModel: free text (method, host, path, route, target,
// status, request id, client; case-insensitive) and exact route, status class and method.
class TrafficFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficFilterModel)
public:
    explicit TrafficFilterModel(TrafficModel *source, QObject *parent = nullptr);

    void setText(const QString &text);
    void setRoute(const QString &route); // empty: any
    void setStatusClass(int hundreds); // 2 for 2xx ... 5 for 5xx; 0: any
    void setMethod(const QString &method); // empty: any

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    TrafficModel *m_source;
    QString m_text;
    QString m_route;
    int m_statusClass = 0;
    QByteArray m_method;
};

} // namespace gatehouse::ui
