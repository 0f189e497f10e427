#include "RoutesPage.h"

#include <algorithm>

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include "ui/document/ProfileDocument.h"
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

// The route the form added: the one whose name the profile did not have before.
QString addedRouteName(const profile::Profile &before, const profile::Profile &after)
{
    for (const profile::Route &route : after.routes) {
        if (!hasRoute(before, route.name)) {
            return route.name;
        }
    }
    return after.routes.isEmpty() ? QString() : after.routes.last().name;
}

} // namespace

RoutesPage::RoutesPage(ProfileDocument &document, RouteEditor editor, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_editor(editor ? std::move(editor) : modalDialogEditor())
    , m_model(new RouteListModel(document, this))
    , m_stack(new QStackedWidget(this))
    , m_table(new QTableView(this))
    , m_empty(new QWidget(this))
    , m_problems(new QLabel(this))
{
    setObjectName(QStringLiteral("routesPage"));

    m_add = makeAction("actionAddRoute", tr("Add route…"), &RoutesPage::addRoute);
    m_edit = makeAction("actionEditRoute", tr("Edit…"), &RoutesPage::editRoute);
    m_duplicate = makeAction("actionDuplicateRoute", tr("Duplicate"), &RoutesPage::duplicateRoute);
    m_delete = makeAction("actionDeleteRoute", tr("Delete"), &RoutesPage::deleteRoute);
    m_moveUp = makeAction("actionMoveRouteUp", tr("Move up"), &RoutesPage::moveRouteUp);
    m_moveDown = makeAction("actionMoveRouteDown", tr("Move down"), &RoutesPage::moveRouteDown);
    m_toggle = makeAction("actionToggleRouteEnabled", tr("Disable"), &RoutesPage::toggleRouteEnabled);
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
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers); // edits go through the form
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(RouteListModel::Enabled, QHeaderView::ResizeToContents);
    m_table->setColumnWidth(RouteListModel::Name, 140);
    m_table->setColumnWidth(RouteListModel::Match, 260);
    m_table->setColumnWidth(RouteListModel::Target, 160);
    m_table->setColumnWidth(RouteListModel::Auth, 110);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *separator = new QAction(m_table);
    separator->setSeparator(true);
    auto *separator2 = new QAction(m_table);
    separator2->setSeparator(true);
    m_table->addActions({ m_add, m_edit, m_duplicate, m_delete, separator, m_moveUp, m_moveDown, separator2, m_toggle });

    // The empty state: a first route is the only thing to do on this page.
    auto *emptyLayout = new QVBoxLayout(m_empty);
    auto *emptyLabel = new QLabel(tr("No routes yet"), m_empty);
    emptyLabel->setObjectName(QStringLiteral("routesEmpty"));
    emptyLabel->setAlignment(Qt::AlignCenter);
    QFont big = emptyLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    emptyLabel->setFont(big);
    auto *emptyHint = new QLabel(tr("A route sends matching requests to an upstream service, or answers them itself."), m_empty);
    emptyHint->setAlignment(Qt::AlignCenter);
    emptyHint->setWordWrap(true);
    auto *emptyAdd = new QPushButton(tr("Add route…"), m_empty);
    emptyAdd->setObjectName(QStringLiteral("routesEmptyAdd"));
    emptyAdd->setMinimumSize(180, 44);
    QFont buttonFont = emptyAdd->font();
    buttonFont.setPointSizeF(buttonFont.pointSizeF() * 1.2);
    emptyAdd->setFont(buttonFont);
    emptyLayout->addStretch(1);
    emptyLayout->addWidget(emptyLabel);
    emptyLayout->addWidget(emptyHint);
    emptyLayout->addSpacing(12);
    emptyLayout->addWidget(emptyAdd, 0, Qt::AlignHCenter);
    emptyLayout->addStretch(2);

    m_stack->addWidget(m_table);
    m_stack->addWidget(m_empty);

    m_problems->setObjectName(QStringLiteral("routesProblems"));
    m_problems->setWordWrap(true);
    m_problems->setTextFormat(Qt::PlainText);
    m_problems->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    m_problems->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(toolbar);
    layout->addWidget(m_problems);
    layout->addWidget(m_stack, 1);

    connect(emptyAdd, &QPushButton::clicked, this, &RoutesPage::addRoute);
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

QAction *RoutesPage::makeAction(const char *objectName, const QString &text, void (RoutesPage::*slot)())
{
    auto *action = new QAction(text, this);
    action->setObjectName(QString::fromLatin1(objectName));
    // Only while the page has focus: the main window has its own Delete and arrows elsewhere.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(action);
    connect(action, &QAction::triggered, this, slot);
    return action;
}

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
    const profile::Profile current = m_document.profile();
    const std::optional<profile::Profile> next = m_editor(this, current, -1);
    if (next) {
        const QString name = addedRouteName(current, *next);
        apply(tr("Add route %1").arg(name), *next, name);
    }
}

void RoutesPage::editRoute()
{
    const int row = currentRow();
    if (row < 0) {
        return;
    }
    const profile::Profile current = m_document.profile();
    const std::optional<profile::Profile> next = m_editor(this, current, row);
    if (next && row < next->routes.size()) {
        apply(tr("Edit route %1").arg(current.routes.at(row).name), *next, next->routes.at(row).name);
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
    if (row < 0) {
        return;
    }
    profile::Profile next = m_document.profile();
    const QString name = next.routes.at(row).name;
    next.routes.removeAt(row);
    const QString neighbour = next.routes.isEmpty() ? QString() : next.routes.at(std::min<qsizetype>(row, next.routes.size() - 1)).name;
    apply(tr("Delete route %1").arg(name), next, neighbour);
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
    m_problems->setText(problems.join(QLatin1Char('\n')));
    m_problems->setVisible(!problems.isEmpty());
}

bool RoutesPage::apply(const QString &description, const profile::Profile &next, const QString &select)
{
    QStringList problems;
    m_selectAfterReset = select;
    const bool ok = m_document.edit(description, next, &problems);
    m_selectAfterReset.clear(); // the edit reset the model synchronously, or changed nothing
    m_problems->setText(problems.join(QLatin1Char('\n')));
    m_problems->setVisible(!problems.isEmpty());
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
    m_stack->setCurrentWidget(m_model->rowCount() == 0 ? m_empty : m_table);
}

} // namespace gatehouse::ui
