#include "RoutesPage.h"

#include <algorithm>

#include <QAction>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include "ui/document/ProfileDocument.h"
#include "ui/editing/EmptyState.h"
#include "ui/editing/EntryTable.h"
#include "ui/editing/PageAction.h"
#include "ui/editing/ProblemsLabel.h"
#include "ui/editing/ProfileLists.h"
#include "ui/routes/RouteDialog.h"
#include "ui/routes/RouteListModel.h"

namespace gatehouse::ui {

namespace {

RoutesPage::RouteEditor modalDialogEditor()
{
    return [](QWidget *parent, const profile::Profile &current, int index) {
        return index < 0 ? RouteDialog::addRoute(parent, current) : RouteDialog::editRoute(parent, current, index);
    };
}

bool hasRoute(const profile::Profile &profile, const QString &name)
{
    return std::any_of(profile.routes.cbegin(), profile.routes.cend(),
                       [&name](const profile::Route &route) { return route.name == name; });
}

// "users-copy", then "users-copy-2", "users-copy-3"...: names must stay unique in a profile.
QString copyName(const profile::Profile &profile, const QString &name)
{
    QString candidate = name + QStringLiteral("-copy");
    for (int n = 2; hasRoute(profile, candidate); ++n) {
        candidate = QStringLiteral("%1-copy-%2").arg(name).arg(n);
    }
    return candidate;
}

} // namespace

RoutesPage::RoutesPage(ProfileDocument &document, RouteEditor editor, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_editor(editor ? std::move(editor) : modalDialogEditor())
    , m_model(new RouteListModel(document, this))
    , m_stack(new QStackedWidget(this))
    , m_table(new QTableView(this))
    , m_empty(new EmptyState(tr("No routes yet"),
                             tr("A route sends matching requests to an upstream service, or answers them itself."),
                             tr("Add route…"), this))
    , m_problems(new ProblemsLabel(QStringLiteral("routesProblems"), this))
{
    setObjectName(QStringLiteral("routesPage"));

    m_add = addPageAction(this, "actionAddRoute", tr("Add route…"), &RoutesPage::addRoute);
    m_edit = addPageAction(this, "actionEditRoute", tr("Edit…"), &RoutesPage::editRoute);
    m_duplicate = addPageAction(this, "actionDuplicateRoute", tr("Duplicate"), &RoutesPage::duplicateRoute);
    m_delete = addPageAction(this, "actionDeleteRoute", tr("Delete"), &RoutesPage::deleteRoute);
    m_moveUp = addPageAction(this, "actionMoveRouteUp", tr("Move up"), &RoutesPage::moveRouteUp);
    m_moveDown = addPageAction(this, "actionMoveRouteDown", tr("Move down"), &RoutesPage::moveRouteDown);
    m_toggle = addPageAction(this, "actionToggleRouteEnabled", tr("Disable"), &RoutesPage::toggleRouteEnabled);
    m_add->setShortcut(QKeySequence(Qt::Key_Insert));
    m_edit->setShortcut(QKeySequence(Qt::Key_Return));
    m_delete->setShortcut(QKeySequence::Delete);
    m_moveUp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Up));
    m_moveDown->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Down));
    m_moveUp->setToolTip(tr("Earlier in the file wins among equally specific routes"));
    m_moveDown->setToolTip(m_moveUp->toolTip());

    auto *toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("routesToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(m_add);
    toolbar->addSeparator();
    toolbar->addActions({ m_edit, m_duplicate, m_delete });
    toolbar->addSeparator();
    toolbar->addActions({ m_moveUp, m_moveDown });
    toolbar->addSeparator();
    toolbar->addAction(m_toggle);

    m_table->setObjectName(QStringLiteral("routesTable"));
    m_table->setModel(m_model);
    setUpEntryTable(m_table);
    m_table->horizontalHeader()->setSectionResizeMode(RouteListModel::Enabled, QHeaderView::ResizeToContents);
    m_table->setColumnWidth(RouteListModel::Name, 140);
    m_table->setColumnWidth(RouteListModel::Match, 260);
    m_table->setColumnWidth(RouteListModel::Target, 160);
    m_table->setColumnWidth(RouteListModel::Auth, 110);
    auto *separator = new QAction(m_table);
    separator->setSeparator(true);
    auto *separator2 = new QAction(m_table);
    separator2->setSeparator(true);
    m_table->addActions({ m_add, m_edit, m_duplicate, m_delete, separator, m_moveUp, m_moveDown, separator2, m_toggle });

    m_empty->title()->setObjectName(QStringLiteral("routesEmpty"));
    m_empty->button()->setObjectName(QStringLiteral("routesEmptyAdd"));
    QFont buttonFont = m_empty->button()->font();
    buttonFont.setPointSizeF(buttonFont.pointSizeF() * 1.2);
    m_empty->button()->setFont(buttonFont);
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_empty);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(toolbar);
    layout->addWidget(m_problems);
    layout->addWidget(m_stack, 1);

    connect(m_empty->button(), &QPushButton::clicked, this, &RoutesPage::addRoute);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.column() != RouteListModel::Enabled) { // there a double click is two toggles
            editRoute();
        }
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RoutesPage::updateActions);
    // A reset (every edit, undo and redo) drops the selection; keep it on the same route by name.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const int row = currentRow();
        if (m_selectAfterReset.isEmpty() && row >= 0) {
            m_selectAfterReset = m_model->index(row, RouteListModel::Name).data().toString();
        }
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (!m_selectAfterReset.isEmpty()) {
            selectRoute(m_selectAfterReset);
            m_selectAfterReset.clear();
        }
        updateEmptyState();
        updateActions();
    });
    updateEmptyState();
    updateActions();
}

RoutesPage::~RoutesPage() = default;

int RoutesPage::currentRow() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

void RoutesPage::selectRoute(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0) {
        m_table->clearSelection();
        return;
    }
    const QModelIndex index = m_model->index(row, RouteListModel::Name);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void RoutesPage::addRoute()
{
    if (const std::optional<FormEdit> edit = runForm(m_editor, this, m_document.profile(), &profile::Profile::routes, -1)) {
        apply(tr("Add route %1").arg(edit->name), edit->next, edit->select);
    }
}

void RoutesPage::editRoute()
{
    const int row = currentRow();
    if (row < 0) {
        return;
    }
    if (const std::optional<FormEdit> edit = runForm(m_editor, this, m_document.profile(), &profile::Profile::routes, row)) {
        apply(tr("Edit route %1").arg(edit->name), edit->next, edit->select);
    }
}

void RoutesPage::duplicateRoute()
{
    const int row = currentRow();
    if (row < 0) {
        return;
    }
    profile::Profile next = m_document.profile();
    profile::Route copy = next.routes.at(row);
    const QString original = copy.name;
    copy.name = copyName(next, original);
    next.routes.insert(row + 1, copy); // next to its original: same precedence among equals
    apply(tr("Duplicate route %1").arg(original), next, copy.name);
}

void RoutesPage::deleteRoute()
{
    const int row = currentRow();
    if (const std::optional<profile::Profile> next = withoutEntry(m_document.profile(), &profile::Profile::routes, row)) {
        apply(tr("Delete route %1").arg(m_document.profile().routes.at(row).name), *next, nameAt(next->routes, row));
    }
}

void RoutesPage::moveRouteUp()
{
    moveRoute(-1);
}

void RoutesPage::moveRouteDown()
{
    moveRoute(+1);
}

void RoutesPage::moveRoute(int delta)
{
    const int row = currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_model->rowCount()) {
        return;
    }
    profile::Profile next = m_document.profile();
    const QString name = next.routes.at(row).name;
    next.routes.move(row, to);
    apply((delta < 0 ? tr("Move route %1 up") : tr("Move route %1 down")).arg(name), next, name);
}

void RoutesPage::toggleRouteEnabled()
{
    const int row = currentRow();
    if (row < 0) {
        return;
    }
    const bool enabled = m_model->index(row, RouteListModel::Enabled).data(Qt::CheckStateRole).toInt() == Qt::Checked;
    m_selectAfterReset = m_model->index(row, RouteListModel::Name).data().toString();
    QStringList problems;
    m_model->setRouteEnabled(row, !enabled, &problems);
    m_selectAfterReset.clear();
    m_problems->setProblems(problems);
}

bool RoutesPage::apply(const QString &description, const profile::Profile &next, const QString &select)
{
    QStringList problems;
    m_selectAfterReset = select;
    const bool ok = m_document.edit(description, next, &problems);
    m_selectAfterReset.clear(); // the edit reset the model synchronously, or changed nothing
    m_problems->setProblems(problems);
    return ok;
}

void RoutesPage::updateActions()
{
    const int row = currentRow();
    const bool selected = row >= 0;
    for (QAction *action : { m_edit, m_duplicate, m_delete, m_toggle }) {
        action->setEnabled(selected);
    }
    m_moveUp->setEnabled(selected && row > 0);
    m_moveDown->setEnabled(selected && row < m_model->rowCount() - 1);
    const bool enabled = !selected || m_model->index(row, RouteListModel::Enabled).data(Qt::CheckStateRole).toInt() == Qt::Checked;
    m_toggle->setText(enabled ? tr("Disable") : tr("Enable"));
}

void RoutesPage::updateEmptyState()
{
    m_stack->setCurrentWidget(m_model->rowCount() == 0 ? static_cast<QWidget *>(m_empty) : m_table);
}

} // namespace gatehouse::ui
