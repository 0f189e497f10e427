#include "RecentFiles.h"

#include <QFileInfo>
#include <QSettings>

namespace gatehouse::ui {

namespace {
constexpr qsizetype kMaxRecent = 8;
const char *const kKey = "profiles/recent";
} // namespace

QStringList recentProfiles()
{
    QStringList existing;
    for (const QString &path : QSettings().value(QLatin1String(kKey)).toStringList()) {
        if (QFileInfo::exists(path)) {
            existing.append(path);
        }
    }
    return existing;
}

void rememberProfile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentProfiles();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    QSettings settings;
    settings.setValue(QLatin1String(kKey), recent.mid(0, kMaxRecent));
    settings.setValue(QStringLiteral("profiles/last"), absolute); // what `gatehouse` opens next time
}

} // namespace gatehouse::ui
