#include "ToolRun.h"

#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace gatehouse::engine::tls {

namespace {

// update-ca-certificates rehashes a few hundred certificates; certutil takes milliseconds.
constexpr int kTimeoutMs = 120000;

} // namespace

ToolRun ToolRun::of(const QString &program, const QStringList &args)
{
    ToolRun run;
    const QString name = QFileInfo(program).fileName();
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    process.closeWriteChannel();
    if (!process.waitForStarted(kTimeoutMs)) {
        run.problem = QStringLiteral("could not run %1: %2").arg(program, process.errorString());
        return run;
    }
    if (!process.waitForFinished(kTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.problem = QStringLiteral("%1 did not finish in %2 s").arg(name).arg(kTimeoutMs / 1000);
        return run;
    }
    run.output = process.readAll();
    run.ok = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    if (!run.ok) {
        // certutil starts its messages with "certutil: " itself; update-ca-certificates does not.
        const QString last = QString::fromLocal8Bit(run.output.trimmed().split('\n').last().trimmed());
        if (last.isEmpty()) {
            run.problem = QStringLiteral("%1 failed (exit code %2)").arg(name).arg(process.exitCode());
        } else {
            run.problem = last.startsWith(name + u':') ? last : QStringLiteral("%1: %2").arg(name, last);
        }
    }
    return run;
}

QString findTool(const QString &program, const QStringList &extraDirs)
{
    const QString inPath = QStandardPaths::findExecutable(program);
    return inPath.isEmpty() && !extraDirs.isEmpty() ? QStandardPaths::findExecutable(program, extraDirs) : inPath;
}

} // namespace gatehouse::engine::tls
