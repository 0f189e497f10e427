#pragma once

#include <QByteArray>
#include <QStringList>

namespace gatehouse::exporter {

// An exported configuration and what could not go into it (one line each, for stderr).
struct ExportResult
{
    QByteArray text;
    QStringList warnings;
};

} // namespace gatehouse::exporter
