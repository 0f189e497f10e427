#include <cstdio>

#include <QSaveFile>

#include "app/Commands.h"
#include "app/ProfileLoading.h"
#include "engine/profile/ProfileWriter.h"

namespace gatehouse::app {

int runExport(const QStringList &args)
{
    QString path;
    QString format;
    QString output;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1String("--format") && i + 1 < args.size()) {
            format = args.at(++i);
        } else if ((arg == QLatin1String("-o") || arg == QLatin1String("--output")) && i + 1 < args.size()) {
            output = args.at(++i);
        } else if (!arg.startsWith(QLatin1Char('-')) && path.isEmpty()) {
            path = arg;
        } else {
            printError(QStringLiteral("export: unexpected argument %1").arg(arg));
            return ExitInvalid;
        }
    }
    if (path.isEmpty() || format.isEmpty()) {
        printError(QStringLiteral("usage: gatehouse export PROFILE --format yaml|nginx|kong [-o OUT]"));
        return ExitInvalid;
    }
    if (format != QLatin1String("yaml")) {
        printError(QStringLiteral("export: format %1 is not available yet; use --format yaml").arg(format));
        return ExitInvalid;
    }
    const auto profile = loadProfileOrReport(path, stderr);
    if (!profile) {
        return ExitInvalid;
    }
    const QByteArray yaml = profile::writeProfileYaml(*profile);
    if (output.isEmpty()) {
        std::fwrite(yaml.constData(), 1, size_t(yaml.size()), stdout);
        return ExitOk;
    }
    // Atomic: a failed export never leaves a half-written file where a good one was.
    QSaveFile file(output);
    if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size() || !file.commit()) {
        printError(QStringLiteral("export: cannot write %1: %2").arg(output, file.errorString()));
        return ExitRuntime;
    }
    return ExitOk;
}

} // namespace gatehouse::app
