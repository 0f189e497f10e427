#pragma once

#include <QDialog>
#include <QJsonObject>
#include <QString>

#include "engine/profile/Profile.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace gatehouse::engine {
class SecretStore;
}

namespace gatehouse::ui {

// "Mint test token" for one JWT profile: the same token `gatehouse token` would print (same
// claims, same engine signer), signed with the profile's secret (keychain:, env: or file:,
// resolved through the SecretStore) or its private_key. Claims are typed as name/value rows, the
// value taken as JSON when it parses as JSON. Errors (no key, a missing keychain item, a bad TTL)
// are shown in the dialog. The key is loaded at each mint and not kept.
//
// Tests call mint() and read token() / curlCommand() without exec().
class MintTokenDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MintTokenDialog)
public:
    // `baseDir` resolves relative key files; `store` (not owned, may be null) answers keychain:
    // references; `baseUrl` ("http://127.0.0.1:8080", may be empty) is what the curl command calls.
    MintTokenDialog(const profile::JwtProfile &jwt, const QString &baseDir, engine::SecretStore *store,
                    const QString &baseUrl, QWidget *parent = nullptr);
    ~MintTokenDialog() override;

    // Signs a token from the form and shows it; empty with `error` (may be null) set, and the
    // message shown, when it cannot.
    QString mint(QString *error);
    QString token() const { return m_token; }
    // A curl command that sends the token where the profile's first `token_from` looks for it;
    // empty before a token was minted.
    QString curlCommand() const;
    QString jwtName() const { return m_jwt.name; }

    void copyToken() const;
    void copyCurlCommand() const;

protected:
    void showEvent(QShowEvent *showing) override;

private:
    // The claims rows as JSON; false with `error` set when a row has a value but no name.
    bool typedClaims(QJsonObject *claims, QString *error) const;
    void addClaimRowIfFull();
    void showResult(const QString &error);

    profile::JwtProfile m_jwt;
    QString m_baseDir;
    engine::SecretStore *m_store;
    QString m_baseUrl;
    QString m_token;
    bool m_mintedOnShow = false;

    QTableWidget *m_claims = nullptr;
    QLineEdit *m_ttl = nullptr;
    QComboBox *m_algorithm = nullptr;
    QPushButton *m_mintButton = nullptr;
    QPlainTextEdit *m_output = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_copyToken = nullptr;
    QPushButton *m_copyCurl = nullptr;
};

} // namespace gatehouse::ui
