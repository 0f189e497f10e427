#pragma once

#include <QStringList>

// The command-line commands (SPEC §1). Each takes the arguments after its name and returns
// the process exit code: 0 ok, 1 invalid profile or usage, 2 runtime failure, 3 `ca --trust` or
// `--untrust` could not change a trust store (the others were changed).
namespace gatehouse::app {

enum ExitCode { ExitOk = 0, ExitInvalid = 1, ExitRuntime = 2, ExitStoreFailed = 3 };

int runServe(const QStringList &args);
int runCheck(const QStringList &args);
int runExport(const QStringList &args);
int runImport(const QStringList &args);
int runEcho(const QStringList &args);
int runToken(const QStringList &args);
int runSecret(const QStringList &args);
int runCa(const QStringList &args);
int runDesktop(int argc, char *argv[], const QStringList &args);

QString usageText();
void printError(const QString &message); // "gatehouse: message" on stderr

} // namespace gatehouse::app
