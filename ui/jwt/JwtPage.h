#pragma once

#include <functional>

#include <QWidget>

#include "ui/editing/ProfileForm.h"

class QAction;
class QStackedWidget;
class QTableWidget;

namespace gatehouse::engine {
class SecretStore;
}

namespace gatehouse::ui {

class EmptyState;
class MintTokenDialog;
class ProblemsLabel;
class ProfileDocument;

// The JWT page: the document's JWT profiles in a table (name, algorithms, where the key comes
// from as its reference, issuer) with Add, Edit (also double-click), Delete and "Mint test
// token", in a toolbar and the table's context menu, and an empty state that offers the first
// profile. Each change is one undoable document edit. Delete asks nothing because Undo exists; it
// leaves the keychain item in place for the same reason. When routes still use a profile the
// document refuses the delete and the page shows the reader's message.
//
// The form is opened through a JwtEditor so tests drive it without a nested event loop: the
// default shows JwtProfileDialog with exec() (which stores a typed secret on OK); a test passes a
// function that builds the dialog, fills it, clicks OK and returns its result().
class JwtPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JwtPage)
public:
    // The form over `current` for the JWT profile at `index` (-1: a new one).
    using JwtEditor = ProfileForm;
    // The gateway's base URL for "Copy curl command" ("http://127.0.0.1:8080"; empty when not listening).
    using BaseUrl = std::function<QString()>;

    // `store` (not owned, may be null) keeps the secrets typed in the form and answers keychain:
    // references when minting.
    JwtPage(ProfileDocument &document, engine::SecretStore *store, BaseUrl baseUrl, JwtEditor editor = {},
            QWidget *parent = nullptr);
    ~JwtPage() override;

    QTableWidget *table() const { return m_table; }
    int currentRow() const; // the selected JWT profile's row, or -1
    void selectJwt(const QString &name);

    void addJwt();
    void editJwt(); // the selected one
    void deleteJwt();
    // Opens "Mint test token" for the selected profile (non-modal, deleted on close) and returns it.
    MintTokenDialog *mintToken();

private:
    void refresh();
    bool apply(const QString &description, const profile::Profile &next, const QString &select);
    void updateActions();

    ProfileDocument &m_document;
    engine::SecretStore *m_store;
    BaseUrl m_baseUrl;
    JwtEditor m_editor;
    QStackedWidget *m_stack;
    QTableWidget *m_table;
    EmptyState *m_empty;
    ProblemsLabel *m_message;
    QAction *m_add = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_mint = nullptr;
};

} // namespace gatehouse::ui
