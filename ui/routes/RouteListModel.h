#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

#include "engine/profile/Profile.h"

namespace gatehouse::ui {

class ProfileDocument;

// The document's routes as a table, one row per route in file order (which breaks ties between
// equally specific matches). The Enabled column is a checkbox: toggling it is an undoable edit of
// the document ("Disable route users"). The model keeps its own copy of the routes and resets on
// every document change, so views never see the document half-way through an edit.
class RouteListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RouteListModel)
public:
    enum Column { Enabled, Name, Match, Target, Auth, Limits, ColumnCount };

    explicit RouteListModel(ProfileDocument &document, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    // Enables or disables the route in `row` through the document; false, with the reader's
    // problems, when the document refused.
    bool setRouteEnabled(int row, bool enabled, QStringList *problems = nullptr);
    // The row of the route called `name`, or -1.
    int rowOf(const QString &name) const;

    // "GET,POST /api/users* on localhost" — what a request must look like to take the route.
    static QString matchText(const profile::RouteMatch &match);
    // "→ users" or "responds 418".
    static QString targetText(const profile::Route &route);

private:
    bool isRow(const QModelIndex &index) const; // a valid index of this model, in range
    void reload();

    ProfileDocument &m_document;
    QList<profile::Route> m_routes;
};

} // namespace gatehouse::ui
