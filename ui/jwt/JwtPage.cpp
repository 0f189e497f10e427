#include "JwtPage.h"

#include <algorithm>

#include <QAction>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include "engine/profile/Values.h"
#include "ui/document/ProfileDocument.h"
#include "ui/editing/EmptyState.h"
#include "ui/editing/EntryTable.h"
#include "ui/editing/PageAction.h"
#include "ui/editing/ProblemsLabel.h"
#include "ui/editing/ProfileLists.h"
#include "ui/jwt/JwtProfileDialog.h"
#include "ui/jwt/MintTokenDialog.h"

namespace gatehouse::ui {

namespace {

enum Column { Name, Algorithms, Key, Issuer, ColumnCount };

// Where the verification key comes from, as the profile writes it. Only references: secrets
// themselves never reach the app's widgets.
QString keySource(const profile::JwtProfile &jwt)
{
    if (jwt.secret.isSet()) {
        return profile::formatSecretRef(jwt.secret);
    }
    if (jwt.publicKey.isSet()) {
        return profile::formatSecretRef(jwt.publicKey);
    }
    return jwt.jwks;
}

} // namespace

JwtPage::JwtPage(ProfileDocument &document, engine::SecretStore *store, BaseUrl baseUrl, JwtEditor editor, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_store(store)
    , m_baseUrl(std::move(baseUrl))
    , m_editor(std::move(editor))
    , m_stack(new QStackedWidget(this))
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_empty(new EmptyState(tr("No JWT profiles yet"),
                             tr("A JWT profile says which tokens a route accepts: the algorithms, the key that "
                                "signs them, and the issuer and audience they must name."),
                             tr("Add JWT profile…"), this))
    , m_message(new ProblemsLabel(QStringLiteral("jwtMessage"), this))
{
    setObjectName(QStringLiteral("jwtPage"));
    if (!m_editor) {
        m_editor = [store](QWidget *dialogParent, const profile::Profile &current, int index) {
            return index < 0 ? JwtProfileDialog::addJwt(dialogParent, current, store)
                             : JwtProfileDialog::editJwt(dialogParent, current, index, store);
        };
    }

    m_add = addPageAction(this, "actionAddJwt", tr("Add…"), &JwtPage::addJwt);
    m_edit = addPageAction(this, "actionEditJwt", tr("Edit…"), &JwtPage::editJwt);
    m_delete = addPageAction(this, "actionDeleteJwt", tr("Delete"), &JwtPage::deleteJwt);
    m_mint = new QAction(tr("Mint test token…"), this);
    m_mint->setObjectName(QStringLiteral("actionMintToken"));
    m_mint->setToolTip(tr("Sign a token with this profile's key, to call its routes"));
    connect(m_mint, &QAction::triggered, this, [this] { mintToken(); });
    m_add->setShortcut(QKeySequence(Qt::Key_Insert));
    m_edit->setShortcut(QKeySequence(Qt::Key_Return));
    m_delete->setShortcut(QKeySequence::Delete);

    auto *toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("jwtToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(m_add);
    toolbar->addSeparator();
    toolbar->addActions({ m_edit, m_delete });
    toolbar->addSeparator();
    toolbar->addAction(m_mint);

    m_table->setObjectName(QStringLiteral("jwtTable"));
    m_table->setHorizontalHeaderLabels({ tr("JWT profile"), tr("Algorithms"), tr("Key"), tr("Issuer") });
    setUpEntryTable(m_table);
    m_table->setColumnWidth(Name, 160);
    m_table->setColumnWidth(Algorithms, 140);
    m_table->setColumnWidth(Key, 240);
    auto *separator = new QAction(m_table);
    separator->setSeparator(true);
    m_table->addActions({ m_add, m_edit, m_delete, separator, m_mint });

    m_empty->setObjectName(QStringLiteral("jwtEmpty"));
    m_empty->button()->setObjectName(QStringLiteral("jwtEmptyAdd"));
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_empty);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(toolbar);
    layout->addWidget(m_message);
    layout->addWidget(m_stack, 1);

    connect(m_empty->button(), &QPushButton::clicked, this, &JwtPage::addJwt);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this] { editJwt(); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &JwtPage::updateActions);
    connect(&m_document, &ProfileDocument::changed, this, &JwtPage::refresh);
    refresh();
}

JwtPage::~JwtPage() = default;

void JwtPage::refresh()
{
    // Every edit, undo and redo rebuilds the rows; the selection stays on the same name.
    const int row = currentRow();
    const QString selected = row >= 0 ? m_table->item(row, Name)->text() : QString();
    const QList<profile::JwtProfile> &profiles = m_document.profile().jwt;
    const QSignalBlocker blocker(m_table);
    m_table->clearContents();
    m_table->setRowCount(int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const profile::JwtProfile &jwt = profiles.at(i);
        const QStringList texts { jwt.name, jwt.algorithms.join(QStringLiteral(", ")), keySource(jwt), jwt.issuer };
        for (int column = 0; column < ColumnCount; ++column) {
            m_table->setItem(i, column, new QTableWidgetItem(texts.at(column)));
        }
        if (jwt.privateKey.isSet()) {
            m_table->item(i, Key)->setToolTip(tr("Test tokens are signed with %1").arg(profile::formatSecretRef(jwt.privateKey)));
        }
    }
    selectJwt(selected);
    m_stack->setCurrentWidget(profiles.isEmpty() ? m_empty : static_cast<QWidget *>(m_table));
    updateActions();
}

int JwtPage::currentRow() const
{
    const QList<QTableWidgetItem *> items = m_table->selectedItems();
    return items.isEmpty() ? -1 : items.first()->row();
}

void JwtPage::selectJwt(const QString &name)
{
    const QList<QTableWidgetItem *> found = name.isEmpty() ? QList<QTableWidgetItem *>() : m_table->findItems(name, Qt::MatchExactly);
    const auto item = std::find_if(found.cbegin(), found.cend(), [](const QTableWidgetItem *candidate) {
        return candidate->column() == Name;
    });
    if (item == found.cend()) {
        m_table->clearSelection();
        return;
    }
    m_table->selectRow((*item)->row());
    m_table->scrollToItem(*item);
}

void JwtPage::addJwt()
{
    if (const std::optional<FormEdit> edit = runForm(m_editor, this, m_document.profile(), &profile::Profile::jwt, -1)) {
        apply(tr("Add JWT profile %1").arg(edit->name), edit->next, edit->select);
    }
}

void JwtPage::editJwt()
{
    const int row = currentRow();
    if (row < 0) {
        return;
    }
    if (const std::optional<FormEdit> edit = runForm(m_editor, this, m_document.profile(), &profile::Profile::jwt, row)) {
        apply(tr("Edit JWT profile %1").arg(edit->name), edit->next, edit->select);
    }
}

void JwtPage::deleteJwt()
{
    const int row = currentRow();
    const std::optional<profile::Profile> next = withoutEntry(m_document.profile(), &profile::Profile::jwt, row);
    if (!next) {
        return;
    }
    const QString name = m_document.profile().jwt.at(row).name;
    if (!apply(tr("Delete JWT profile %1").arg(name), *next, nameAt(next->jwt, row))) {
        // The reader's words name the route; say first what was refused.
        m_message->setText(tr("JWT profile '%1' was not deleted: %2").arg(name, m_message->text()));
    }
}

MintTokenDialog *JwtPage::mintToken()
{
    const int row = currentRow();
    if (row < 0) {
        return nullptr;
    }
    const profile::Profile &current = m_document.profile();
    auto *dialog = new MintTokenDialog(current.jwt.at(row), current.baseDir, m_store, m_baseUrl ? m_baseUrl() : QString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

bool JwtPage::apply(const QString &description, const profile::Profile &next, const QString &select)
{
    QStringList problems;
    const bool ok = m_document.edit(description, next, &problems);
    if (ok) {
        selectJwt(select); // changed() rebuilt the rows
    }
    m_message->setProblems(problems);
    return ok;
}

void JwtPage::updateActions()
{
    const bool selected = currentRow() >= 0;
    for (QAction *action : { m_edit, m_delete, m_mint }) {
        action->setEnabled(selected);
    }
}

} // namespace gatehouse::ui
