#pragma once

#include <optional>

#include <QDialog>
#include <QStringList>

#include "engine/profile/Profile.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QToolButton;
class QWidget;

namespace gatehouse::engine {
class SecretStore;
}

namespace gatehouse::ui {

class FormFooter;

// "Add JWT profile" / "Edit JWT profile": a form over one JWT profile, validated as you type by
// the same reader as `gatehouse check`. A shared secret is typed here and goes to the OS keychain
// (through the SecretStore) when OK is pressed; the profile only ever gets `keychain:ITEM`, and the
// field is cleared once the secret is stored, so it is in no widget, undo step or file afterwards.
// Editing a keychain-backed profile leaves its stored secret alone unless a new one is typed.
// What the form does not show (token_from, claims_to_headers, revocation_store) is kept.
//
// Tests drive it without exec(): fill the named widgets, click OK (accept() calls commit()) or
// call commit() directly, then read result().
class JwtProfileDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JwtProfileDialog)
public:
    // Same order as the `jwtKeySource` combo.
    enum class KeySource { SharedSecret, PublicKey, Jwks };

    // `index` < 0 adds a JWT profile; otherwise the one at `index` is edited. `store` (not owned,
    // may be null: then typed secrets cannot be stored) receives the secret on commit().
    JwtProfileDialog(const profile::Profile &current, int index, engine::SecretStore *store, QWidget *parent = nullptr);
    ~JwtProfileDialog() override;

    // Modal conveniences for the app: the next profile (the secret already stored), or nothing
    // when cancelled.
    static std::optional<profile::Profile> addJwt(QWidget *parent, const profile::Profile &current,
                                                  engine::SecretStore *store);
    static std::optional<profile::Profile> editJwt(QWidget *parent, const profile::Profile &current, int index,
                                                   engine::SecretStore *store);

    // The whole next profile: the JWT profile added or replaced, and routes that used its old name
    // following a rename. Hides QDialog::result(); use QDialog::result() for the outcome.
    profile::Profile result() const;
    // What stands in the way of OK, as shown in `jwtProblems`; empty = acceptable.
    QStringList problems() const;
    bool isNewProfile() const { return m_index < 0; }
    // The keychain item a typed secret goes to.
    QString keychainItem() const;

    // Stores a typed secret under keychainItem() and clears the field. True when the caller may
    // apply result(); false with `error` set (and shown) when there are problems or the store
    // refused the secret, in which case nothing was changed.
    bool commit(QString *error);
    void accept() override; // commit(), and stays open when that fails

private:
    QWidget *buildAlgorithms();
    QWidget *buildSecretPanel();
    QWidget *buildFileRow(QLineEdit *edit, const char *buttonName, const QString &title, const QString &filter);
    void fill(const profile::JwtProfile &jwt);
    void connectChanges();
    // Only the algorithms the key source can verify are offered; `pickDefault` checks a common one
    // when none is left checked after the user switched sources.
    void applyKeySource(bool pickDefault);
    void updateSecretStatus();
    void revalidate();
    KeySource keySource() const;
    // The secret the profile has now (from the file, or stored by an earlier commit()) and that
    // stays when nothing new is typed; None when there is none or its keychain item was renamed.
    profile::SecretRef keptSecret() const;
    std::optional<profile::Duration> typedLeeway(QString *error) const;

    profile::Profile m_current;
    int m_index;
    profile::JwtProfile m_original;
    engine::SecretStore *m_store;
    profile::SecretRef m_storedSecret; // what the profile's `secret` refers to without a new one typed
    bool m_itemEdited = false; // the keychain item no longer follows the name

    QFormLayout *m_form = nullptr;
    QLineEdit *m_name = nullptr;
    QStringList m_algorithmNames; // grouped by family, as the buttons are laid out
    QList<QToolButton *> m_algorithms; // parallel to m_algorithmNames
    QComboBox *m_keySource = nullptr;
    QStackedWidget *m_keyPanels = nullptr;
    QLineEdit *m_secret = nullptr;
    QToolButton *m_showSecret = nullptr;
    QLineEdit *m_keychainItem = nullptr;
    QLabel *m_secretStatus = nullptr;
    QLineEdit *m_publicKey = nullptr;
    QLineEdit *m_jwks = nullptr;
    QLineEdit *m_privateKey = nullptr;
    QWidget *m_privateKeyRow = nullptr;
    QLineEdit *m_issuer = nullptr;
    QLineEdit *m_audience = nullptr;
    QLineEdit *m_leeway = nullptr;
    QLabel *m_storeError = nullptr;
    FormFooter *m_footer = nullptr;
};

} // namespace gatehouse::ui
