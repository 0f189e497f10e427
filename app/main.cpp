#include <cstdio>
#include <cstdlib>

#include <QCoreApplication>
#include <QStringList>

#include "app/Commands.h"

using namespace gatehouse::app;

int main(int argc, char *argv[])
{
    QStringList args;
    for (int i = 1; i < argc; ++i) {
        args.append(QString::fromLocal8Bit(argv[i]));
    }
    const QString command = args.value(0);
    const QStringList rest = args.mid(1);

    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        std::printf("gatehouse %s\n", GATEHOUSE_VERSION);
        return ExitOk;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("help")) {
        std::fputs(usageText().toLocal8Bit().constData(), stdout);
        return ExitOk;
    }
    if (command == QLatin1String("echo")) {
        // The echo service serves on its main thread, where the glib dispatcher costs CPU per
        // request. `serve` keeps glib: its workers run their own epoll dispatchers, and the
        // OS keychain (libsecret through QtKeychain) answers through the glib main loop.
        qputenv("QT_NO_GLIB", "1");
    }
    if (command == QLatin1String("serve") || command == QLatin1String("check")
        || command == QLatin1String("export") || command == QLatin1String("import")
        || command == QLatin1String("echo")
        || command == QLatin1String("token") || command == QLatin1String("secret")
        || command == QLatin1String("ca")) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("gatehouse"));
        QCoreApplication::setApplicationVersion(QStringLiteral(GATEHOUSE_VERSION));
        if (command == QLatin1String("serve")) {
            return runServe(rest);
        }
        if (command == QLatin1String("check")) {
            return runCheck(rest);
        }
        if (command == QLatin1String("export")) {
            return runExport(rest);
        }
        if (command == QLatin1String("import")) {
            return runImport(rest);
        }
        if (command == QLatin1String("token")) {
            return runToken(rest);
        }
        if (command == QLatin1String("secret")) {
            return runSecret(rest);
        }
        if (command == QLatin1String("ca")) {
            return runCa(rest);
        }
        return runEcho(rest);
    }
    if (command.startsWith(QLatin1Char('-'))) {
        printError(QStringLiteral("unknown option %1 (see gatehouse --help)").arg(command));
        return ExitInvalid;
    }
    return runDesktop(argc, argv, args);
}
