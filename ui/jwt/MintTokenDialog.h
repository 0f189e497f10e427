#pragma once

#include <utility>

#include <QDialog>
#include <QList>
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
// are shown in the dialog. The key is loaded at each mint and not kept. Signing runs off the GUI
// thread (reading the keychain may take a moment, or ask to unlock it); meanwhile the dialog
// says so and "Mint token" waits.
//
// Tests call mint(), wait for mintFinished() and read token() / curlCommand() without exec().
class MintTokenDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MintTokenDialog)
public:
    // `baseDir` resolves relative key files; `store` (not owned, may be null) answers keychain:
    // references, from a pool thread (EngineTools); `baseUrl` ("http://127.0.0.1:8080", may be empty) is what the curl command calls.
    MintTokenDialog(const profile::JwtProfile &jwt, const QString &baseDir, engine::SecretStore *store,
                    const QString &baseUrl, QWidget *parent = nullptr);
    ~MintTokenDialog() override;

    // Signs a token from the form and shows it, or shows why it cannot; mintFinished() tells
    // which. A form that cannot be read finishes at once, before mint() returns.
    void mint();
    bool isMinting() const { return m_minting; }
    QString token() const { return m_token; }
    // A curl command that sends the token where the profile's first `token_from` looks for it;
    // empty before a token was minted.
    QString curlCommand() const;
    QString jwtName() const { return m_jwt.name; }

    void copyToken() const;
    void copyCurlCommand() const;

Q_SIGNALS:
    void mintFinished(const QString &error); // empty when token() is the new token

protected:
    void showEvent(QShowEvent *showing) override;

private:
    // The claims rows as typed (name, value); false with `error` set when a row has a value but
    // no name.
    bool typedClaims(QList<std::pair<QString, QString>> *claims, QString *error) const;
    void addClaimRowIfFull();
    void finishMint(const QString &token, const QString &error);
    void showResult(const QString &error);

    profile::JwtProfile m_jwt;
    QString m_baseDir;
    engine::SecretStore *m_store;
    QString m_baseUrl;
    QString m_token;
    bool m_mintedOnShow = false;
    bool m_minting = false;
    quint64 m_mintSerial = 0;

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
