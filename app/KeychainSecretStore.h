#pragma once

#include "engine/secrets/SecretStore.h"

namespace gatehouse::app {

// `keychain:NAME` secrets in the OS keychain through QtKeychain: the Secret Service (GNOME
// Keyring, KWallet) on Linux, Keychain on macOS, Credential Manager on Windows. Items live under
// the service "gatehouse". Each call waits for the keychain (at most 10 s, for an unlock prompt),
// which is fine where secrets are read: when a profile loads.
class KeychainSecretStore final : public engine::SecretStore
{
public:
    std::optional<QByteArray> read(const QString &name, QString *error) override;
    bool write(const QString &name, const QByteArray &secret, QString *error) override;
    bool remove(const QString &name, QString *error) override;
};

} // namespace gatehouse::app
