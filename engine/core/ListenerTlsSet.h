#pragma once

#include <memory>
#include <optional>

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "engine/profile/Profile.h"
#include "engine/tls/ServerTlsContext.h"

namespace gatehouse::engine {

// The TLS contexts of a profile's HTTPS listeners, by listenerKey(). Certificate files
// that change on disk (a renewal) are read again without touching the profile or any connection.
class ListenerTlsSet final
{
public:
    // Every HTTPS listener's context, or nullopt with one message per listener that failed.
    // A listener whose TLS settings, names and files are as in `previous` keeps its context: an
    // edit elsewhere in the profile neither reads the files nor asks the local CA for a new
    // certificate (the app applies every edit, on its GUI thread).
    static std::optional<ListenerTlsSet> load(const profile::Profile &profile, QStringList &errors,
                                              const ListenerTlsSet *previous = nullptr);

    std::shared_ptr<const tls::ServerTlsContext> context(const QString &key) const;
    // Rebuilds the contexts whose files changed since they were read; returns their binds. A file
    // caught half written fails to load: the old context stays until the files change again.
    QStringList reloadChanged(QStringList &errors);

private:
    struct FileStamp
    {
        QDateTime modified;
        qint64 size = -1;
        friend bool operator==(const FileStamp &, const FileStamp &) = default;
    };
    struct Entry
    {
        QString bind; // as the profile says it, for messages
        profile::ListenerTls tls;
        QStringList autoHosts;
        std::shared_ptr<const tls::ServerTlsContext> context;
        QStringList files;
        QList<FileStamp> stamps;
    };
    static QList<FileStamp> stampsOf(const QStringList &files);
    const Entry *unchanged(const QString &key, const Entry &wanted, const QString &baseDir) const;
    bool loadEntry(Entry &entry, QString *error) const;

    QString m_baseDir;
    QHash<QString, Entry> m_entries;
};

} // namespace gatehouse::engine
