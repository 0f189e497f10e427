#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace gatehouse::engine::tls {

enum class TrustChange { Trust, Untrust };

// What `gatehouse ca --trust` / `--untrust` did to one trust store.
struct StoreOutcome
{
    enum Kind { Added, AlreadyTrusted, Removed, NotPresent, Skipped, Failed };
    Kind kind = Failed;
    QString store; // "the system store (/usr/local/share/ca-certificates/….crt)"
    QString detail; // why it was skipped or failed; what to do instead

    QString line() const; // "added to …", "skipped …: detail"
};

struct TrustReport
{
    QString error; // the CA itself could not be read: no store was looked at
    QList<StoreOutcome> stores;

    // A store could have been changed but was not; a skipped one (no root, no certutil) is not a failure.
    bool failed() const;
    QStringList lines() const;
};

} // namespace gatehouse::engine::tls
