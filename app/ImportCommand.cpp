#include <cstdio>

#include <QFile>
#include <QSaveFile>

#include "app/Commands.h"
#include "engine/export/KongImport.h"

namespace gatehouse::app {

// `gatehouse import FILE --from kong [-o OUT]` (SPEC §7.9): what maps becomes a profile in
// canonical YAML, what does not is one line each on stderr with the decK file's line:column.
int runImport(const QStringList &args)
{
    QString path;
    QString from;
    QString output;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1String("--from") && i + 1 < args.size()) {
            from = args.at(++i);
        } else if ((arg == QLatin1String("-o") || arg == QLatin1String("--output")) && i + 1 < args.size()) {
            output = args.at(++i);
        } else if (!arg.startsWith(QLatin1Char('-')) && path.isEmpty()) {
            path = arg;
        } else {
            printError(QStringLiteral("import: unexpected argument %1").arg(arg));
            return ExitInvalid;
        }
    }
    if (path.isEmpty() || from.isEmpty()) {
        printError(QStringLiteral("usage: gatehouse import FILE --from kong [-o OUT]"));
        return ExitInvalid;
    }
    if (from != QLatin1String("kong")) {
        printError(QStringLiteral("import: unknown source %1; use kong").arg(from));
        return ExitInvalid;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        printError(QStringLiteral("import: cannot read %1: %2").arg(path, file.errorString()));
        return ExitInvalid;
    }
    const exporter::ImportResult result = exporter::importKong(file.readAll(), path);
    for (const QString &line : result.notMapped) {
        std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    }
    if (!result.ok()) {
        for (const QString &line : result.errors) {
            std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
        }
        printError(QStringLiteral("import: %1 was not imported; nothing written").arg(path));
        return ExitInvalid;
    }
    if (output.isEmpty()) {
        std::fwrite(result.yaml.constData(), 1, size_t(result.yaml.size()), stdout);
        return ExitOk;
    }
    QSaveFile out(output);
    if (!out.open(QIODevice::WriteOnly) || out.write(result.yaml) != result.yaml.size() || !out.commit()) {
        printError(QStringLiteral("import: cannot write %1: %2").arg(output, out.errorString()));
        return ExitRuntime;
    }
    return ExitOk;
}

} // namespace gatehouse::app
