#include <cstdio>

#include <QSaveFile>

#include "app/Commands.h"
#include "app/ProfileLoading.h"
#include "engine/export/KongExport.h"
#include "engine/export/NginxExport.h"
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
    if (format != QLatin1String("yaml") && format != QLatin1String("nginx") && format != QLatin1String("kong")) {
        printError(QStringLiteral("export: unknown format %1; use yaml, nginx or kong").arg(format));
        return ExitInvalid;
    }
    const auto profile = loadProfileOrReport(path, stderr);
    if (!profile) {
        return ExitInvalid;
    }
    QByteArray yaml;
    if (format == QLatin1String("yaml")) {
        yaml = profile::writeProfileYaml(*profile);
    } else {
        // What the target cannot express: one warning line each (SPEC §7.9); still exit 0.
        const exporter::ExportResult result = format == QLatin1String("nginx") ? exporter::exportNginx(*profile)
                                                                                : exporter::exportKong(*profile);
        for (const QString &warning : result.warnings) {
            printError(warning);
        }
        yaml = result.text;
    }
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
