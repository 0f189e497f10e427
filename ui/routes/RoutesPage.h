#pragma once

#include <functional>
#include <optional>

#include <QWidget>

#include "engine/profile/Profile.h"

class QAction;
class QLabel;
class QStackedWidget;
class QTableView;

namespace gatehouse::ui {

class ProfileDocument;
class RouteListModel;

// The Routes page: the document's routes in a table with Add, Edit (also double-click),
// Duplicate, Delete, Move up/down and Enable/Disable, in a toolbar and the table's context menu,
// and an empty state that offers the first route. Every change is one undoable document edit
// with a clear text ("Move route users up"); Delete asks nothing because Undo exists.
//
// The route form is opened through a RouteEditor so tests drive it without a nested event loop:
// the default shows RouteDialog with exec(); a test passes a function that builds a RouteDialog,
// fills its widgets, clicks OK and returns RouteDialog::result().
class RoutesPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutesPage)
public:
    // Opens the form over `current` for the route at `index` (-1: a new one, appended) and returns
    // the whole next profile, or nothing when cancelled.
    using RouteEditor = std::function<std::optional<profile::Profile>(QWidget *parent, const profile::Profile &current, int index)>;

    explicit RoutesPage(ProfileDocument &document, RouteEditor editor = {}, QWidget *parent = nullptr);
    ~RoutesPage() override;

    RouteListModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // The selected route's row, or -1.
    int currentRow() const;
    void selectRoute(const QString &name);

    void addRoute();
    void editRoute(); // the selected one
    void duplicateRoute();
    void deleteRoute();
    void moveRouteUp();
    void moveRouteDown();
    void toggleRouteEnabled();

private:
    QAction *makeAction(const char *objectName, const QString &text, void (RoutesPage::*slot)());
    // Edits the document and selects `select` afterwards; shows the problems when it is refused.
    bool apply(const QString &description, const profile::Profile &next, const QString &select);
    void moveRoute(int delta);
    void updateActions();
    void updateEmptyState();

    ProfileDocument &m_document;
    RouteEditor m_editor;
    RouteListModel *m_model;
    QStackedWidget *m_stack;
    QTableView *m_table;
    QWidget *m_empty;
    QLabel *m_problems;
    QAction *m_add = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_duplicate = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_moveUp = nullptr;
    QAction *m_moveDown = nullptr;
    QAction *m_toggle = nullptr;
    QString m_selectAfterReset; // the route to select again once the model has reset
};

} // namespace gatehouse::ui
