#include "InMemorySecretStore.h"

#include <QMutexLocker>
#include <QStringList>

namespace gatehouse::test {

std::optional<QByteArray> InMemorySecretStore::read(const QString &name, QString *error)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_items.constFind(name);
    if (found == m_items.cend()) {
        // Worded as KeychainSecretStore words it, so messages in tests match the app's.
        *error = QStringLiteral("no such item in the OS keychain");
        return std::nullopt;
    }
    return *found;
}

bool InMemorySecretStore::write(const QString &name, const QByteArray &secret, QString *error)
{
    QMutexLocker locker(&m_mutex);
    ++m_writes;
    if (m_failWrites) {
        *error = QStringLiteral("OS keychain: the collection is locked (test store)");
        return false;
    }
    m_items.insert(name, secret);
    return true;
}

bool InMemorySecretStore::remove(const QString &name, QString *error)
{
    QMutexLocker locker(&m_mutex);
    if (m_items.remove(name) == 0) {
        *error = QStringLiteral("no such item in the OS keychain");
        return false;
    }
    return true;
}

void InMemorySecretStore::setFailWrites(bool fail)
{
    QMutexLocker locker(&m_mutex);
    m_failWrites = fail;
}

bool InMemorySecretStore::contains(const QString &name) const
{
    QMutexLocker locker(&m_mutex);
    return m_items.contains(name);
}

QByteArray InMemorySecretStore::value(const QString &name) const
{
    QMutexLocker locker(&m_mutex);
    return m_items.value(name);
}

QStringList InMemorySecretStore::names() const
{
    QMutexLocker locker(&m_mutex);
    return m_items.keys();
}

int InMemorySecretStore::writeCount() const
{
    QMutexLocker locker(&m_mutex);
    return m_writes;
}

} // namespace gatehouse::test
