#include "ListenerTlsSet.h"

#include <QFileInfo>

#include "engine/core/ListenerKey.h"
#include "engine/profile/Values.h"
#include "engine/tls/ListenerTlsLoader.h"

namespace gatehouse::engine {

std::optional<ListenerTlsSet> ListenerTlsSet::load(const profile::Profile &profile, QStringList &errors,
                                                   const ListenerTlsSet *previous)
{
    ListenerTlsSet set;
    set.m_baseDir = profile.baseDir;
    bool ok = true;
    for (qsizetype i = 0; i < profile.listen.size(); ++i) {
        const profile::Listener &listener = profile.listen.at(i);
        if (!listener.tls) {
            continue;
        }
        Entry entry;
        entry.tls = *listener.tls;
        entry.autoHosts = tls::autoCertificateHosts(profile, listener);
        const QString key = listenerKey(profile.listen, i);
        if (const Entry *kept = previous ? previous->unchanged(key, entry, profile.baseDir) : nullptr) {
            set.m_entries.insert(key, *kept);
            continue;
        }
        QString error;
        if (!set.loadEntry(entry, &error)) {
            errors.append(QStringLiteral("listen %1: tls: %2").arg(profile::formatHostPort(listener.bind), error));
            ok = false;
            continue;
        }
        entry.bind = profile::formatHostPort(listener.bind);
        set.m_entries.insert(key, entry);
    }
    return ok ? std::optional<ListenerTlsSet>(std::move(set)) : std::nullopt;
}

bool ListenerTlsSet::loadEntry(Entry &entry, QString *error) const
{
    tls::ListenerTlsLoad load = tls::loadListenerTls(entry.tls, m_baseDir, entry.autoHosts);
    if (!load.context) {
        *error = load.error;
        return false;
    }
    entry.context = std::move(load.context);
    entry.files = load.files;
    entry.stamps = stampsOf(load.files);
    return true;
}

const ListenerTlsSet::Entry *ListenerTlsSet::unchanged(const QString &key, const Entry &wanted, const QString &baseDir) const
{
    const auto it = m_entries.constFind(key);
    if (it == m_entries.cend() || baseDir != m_baseDir || it->tls != wanted.tls || it->autoHosts != wanted.autoHosts) {
        return nullptr;
    }
    return stampsOf(it->files) == it->stamps ? &*it : nullptr;
}

std::shared_ptr<const tls::ServerTlsContext> ListenerTlsSet::context(const QString &key) const
{
    const auto it = m_entries.constFind(key);
    return it == m_entries.cend() ? nullptr : it->context;
}

QStringList ListenerTlsSet::reloadChanged(QStringList &errors)
{
    QStringList changed;
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        Entry &entry = it.value();
        if (entry.files.isEmpty() || stampsOf(entry.files) == entry.stamps) {
            continue;
        }
        Entry fresh = entry;
        QString error;
        if (!loadEntry(fresh, &error)) {
            errors.append(QStringLiteral("listen %1: tls: %2; still serving the previous certificate").arg(entry.bind, error));
            entry.stamps = stampsOf(entry.files); // reported once; the next change is tried again
            continue;
        }
        entry = fresh;
        changed.append(entry.bind);
    }
    return changed;
}

QList<ListenerTlsSet::FileStamp> ListenerTlsSet::stampsOf(const QStringList &files)
{
    QList<FileStamp> stamps;
    for (const QString &file : files) {
        const QFileInfo info(file);
        stamps.append({ info.lastModified(), info.exists() ? info.size() : -1 });
    }
    return stamps;
}

} // namespace gatehouse::engine
