#include "NssTrustStores.h"

#include <QDir>
#include <QFileInfo>

#include "engine/tls/ToolRun.h"
#include "engine/tls/TrustedCa.h"

namespace gatehouse::engine::tls {

namespace {

struct NssStore
{
    QString label; // "Firefox profile /home/me/.mozilla/firefox/abc.default-release"
    QString database; // "sql:/home/me/.mozilla/firefox/abc.default-release"
};

struct Location
{
    const char *folder; // under $HOME
    bool profiles; // true: each folder inside is a store (Firefox profiles)
    const char *label;
};

const Location kLocations[] = {
    { ".pki/nssdb", false, "Chromium/Chrome NSS store %1" },
    { "snap/chromium/current/.pki/nssdb", false, "Chromium snap NSS store %1" },
    { ".mozilla/firefox", true, "Firefox profile %1" },
    { "snap/firefox/common/.mozilla/firefox", true, "Firefox snap profile %1" },
    { ".var/app/org.mozilla.firefox/.mozilla/firefox", true, "Firefox Flatpak profile %1" },
};

// cert9.db is the SQLite format every current browser uses; the legacy cert8.db is left alone.
QList<NssStore> findStores(const QDir &home)
{
    QList<NssStore> stores;
    const auto consider = [&stores](const QString &folder, const char *label) {
        if (QFileInfo::exists(folder + QStringLiteral("/cert9.db"))) {
            stores.append({ QString::fromLatin1(label).arg(folder), QStringLiteral("sql:") + folder });
        }
    };
    for (const Location &location : kLocations) {
        const QString folder = QDir::cleanPath(home.filePath(QString::fromLatin1(location.folder)));
        if (!location.profiles) {
            consider(folder, location.label);
            continue;
        }
        for (const QString &profile : QDir(folder).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            consider(folder + QLatin1Char('/') + profile, location.label);
        }
    }
    return stores;
}

// An empty password file: a store with a primary password fails instead of prompting on the terminal.
const QStringList kNoPassword { QStringLiteral("-f"), QStringLiteral("/dev/null") };

StoreOutcome failed(const NssStore &store, const ToolRun &run)
{
    QString detail = run.problem;
    if (run.output.contains("SEC_ERROR_BAD_PASSWORD")) {
        detail += QStringLiteral(" (a primary password protects this store: import the CA in the browser's settings)");
    }
    return { StoreOutcome::Failed, store.label, detail };
}

StoreOutcome trust(const QString &certutil, const NssStore &store, const TrustedCa &ca)
{
    // -u L: trusted to issue TLS server certificates, which is what C,, means.
    if (ToolRun::of(certutil, { QStringLiteral("-V"), QStringLiteral("-u"), QStringLiteral("L"), QStringLiteral("-n"),
                                ca.nickname, QStringLiteral("-d"), store.database })
            .ok) {
        return { StoreOutcome::AlreadyTrusted, store.label, {} };
    }
    const ToolRun add = ToolRun::of(certutil, QStringList { QStringLiteral("-A"), QStringLiteral("-t"), QStringLiteral("C,,"),
                                                            QStringLiteral("-n"), ca.nickname, QStringLiteral("-i"),
                                                            ca.certPath, QStringLiteral("-d"), store.database }
                                        + kNoPassword);
    return add.ok ? StoreOutcome { StoreOutcome::Added, store.label, {} } : failed(store, add);
}

StoreOutcome untrust(const QString &certutil, const NssStore &store, const TrustedCa &ca)
{
    const ToolRun find = ToolRun::of(certutil, { QStringLiteral("-L"), QStringLiteral("-n"), ca.nickname,
                                                 QStringLiteral("-d"), store.database });
    if (!find.ok) {
        return find.output.contains("PR_FILE_NOT_FOUND_ERROR") ? StoreOutcome { StoreOutcome::NotPresent, store.label, {} }
                                                                : failed(store, find);
    }
    const ToolRun remove = ToolRun::of(certutil, QStringList { QStringLiteral("-D"), QStringLiteral("-n"), ca.nickname,
                                                               QStringLiteral("-d"), store.database }
                                           + kNoPassword);
    return remove.ok ? StoreOutcome { StoreOutcome::Removed, store.label, {} } : failed(store, remove);
}

} // namespace

QList<StoreOutcome> changeNssTrust(const TrustedCa &ca, TrustChange change)
{
    const QDir home = QDir::home();
    const QList<NssStore> stores = findStores(home);
    if (stores.isEmpty()) {
        return { { StoreOutcome::Skipped, QStringLiteral("Firefox and Chromium"),
                   QStringLiteral("no NSS store under %1 (a browser makes its store when it first starts)")
                       .arg(home.path()) } };
    }
    const QString certutil = findTool(QStringLiteral("certutil"));
    QList<StoreOutcome> outcomes;
    for (const NssStore &store : stores) {
        if (certutil.isEmpty()) {
            outcomes.append({ StoreOutcome::Skipped, store.label,
                              QStringLiteral("certutil not found: install libnss3-tools (sudo apt install libnss3-tools)") });
        } else {
            outcomes.append(change == TrustChange::Trust ? trust(certutil, store, ca) : untrust(certutil, store, ca));
        }
    }
    return outcomes;
}

} // namespace gatehouse::engine::tls
