#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace gatehouse::engine::tls {

// One run of a system tool (certutil, update-ca-certificates) to completion, its stdin closed so
// a tool that wants to ask something fails instead of waiting.
struct ToolRun
{
    bool ok = false; // ran and exited 0
    QByteArray output; // stdout and stderr together, as a terminal would show them
    QString problem; // when not ok: the tool's last line, or why it did not run

    static ToolRun of(const QString &program, const QStringList &args);
};

// `program`'s path: in PATH, then in `extraDirs`; empty when it is in neither.
QString findTool(const QString &program, const QStringList &extraDirs = {});

} // namespace gatehouse::engine::tls
