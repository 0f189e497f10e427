#pragma once

#include <QWidget>

#include "ui/editing/ProfileForm.h"

class QAction;
class QStackedWidget;
class QTableView;

namespace gatehouse::ui {

class EmptyState;
class ProblemsLabel;
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
    // The form over `current` for the route at `index` (-1: a new one, appended).
    using RouteEditor = ProfileForm;

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
    EmptyState *m_empty;
    ProblemsLabel *m_problems;
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
