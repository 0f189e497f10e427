#pragma once

#include "Profile.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace gatehouse::profile {

// One problem found in a profile, reported as FILE:LINE:COL: message.
struct Problem
{
    QString file; // as given by the caller (the command line, or "<admin>")
    int line = 0; // 1-based
    int column = 0; // 1-based
    QString message;
    QString toString() const; // "FILE:LINE:COL: message"
};

struct ReadResult
{
    std::optional<Profile> profile; // set only when problems is empty
    QList<Problem> problems;
    bool ok() const { return profile.has_value(); }
};

// Reads and validates a profile. Never throws; yaml-cpp errors become Problems.
// displayName is used in problems; baseDir resolves relative paths.
ReadResult readProfile(const QByteArray &yaml, const QString &displayName, const QString &baseDir);
ReadResult readProfileFile(const QString &path);

} // namespace gatehouse::profile
