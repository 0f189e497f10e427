#pragma once

#include <QHash>
#include <QMutex>
#include <QString>

#include "engine/secrets/SecretStore.h"

namespace gatehouse::test {

// The SecretStore interface's other implementation: items in memory, for tests that must not
// depend on an OS keychain. setFailWrites() makes writes fail the way a locked or absent keychain
// does, to drive the error paths. Safe to use from the gateway's threads.
class InMemorySecretStore final : public engine::SecretStore
{
public:
    std::optional<QByteArray> read(const QString &name, QString *error) override;
    bool write(const QString &name, const QByteArray &secret, QString *error) override;
    bool remove(const QString &name, QString *error) override;

    void setFailWrites(bool fail);
    bool contains(const QString &name) const;
    QByteArray value(const QString &name) const;
    QStringList names() const;
    int writeCount() const; // successful and failed writes alike

private:
    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_items;
    bool m_failWrites = false;
    int m_writes = 0;
};

} // namespace gatehouse::test
