#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

namespace gatehouse::engine {

// Where `keychain:NAME` secrets live. The engine only sees this interface; the app provides the
// OS keychain behind it (QtKeychain), so the engine never links a keychain library.
class SecretStore
{
public:
    virtual ~SecretStore() = default;
    // The secret, or nothing with `error` saying why (never containing a secret).
    virtual std::optional<QByteArray> read(const QString &name, QString *error) = 0;
    virtual bool write(const QString &name, const QByteArray &secret, QString *error) = 0;
    virtual bool remove(const QString &name, QString *error) = 0;
};

} // namespace gatehouse::engine
