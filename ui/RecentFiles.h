#pragma once

#include <QStringList>

namespace gatehouse::ui {

// The profiles opened last, newest first, kept in QSettings (at most 8; missing files dropped).
QStringList recentProfiles();
void rememberProfile(const QString &path);

} // namespace gatehouse::ui
