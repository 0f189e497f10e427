#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>

#include "engine/profile/ProfileReader.h"

// Where the test data and the example profiles live: GATEHOUSE_SOURCE_DIR when ctest sets it,
// otherwise the source tree this test was built from (running the binary by hand).
namespace gatehouse::profile::testdata {

inline QString sourceDir()
{
    const QString fromEnv = qEnvironmentVariable("GATEHOUSE_SOURCE_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(GATEHOUSE_TEST_SOURCE_DIR) : fromEnv;
}

// All problems, one per line, for failure messages.
inline QString describeProblems(const QList<Problem> &problems)
{
    QStringList lines;
    for (const Problem &problem : problems) {
        lines.append(problem.toString());
    }
    return lines.join(u'\n');
}

inline QString path(const QString &relative)
{
    return QDir(sourceDir()).filePath(relative);
}

inline QByteArray read(const QString &relative)
{
    QFile file(path(relative));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return file.readAll();
}

} // namespace gatehouse::profile::testdata
