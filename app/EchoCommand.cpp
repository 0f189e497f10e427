#include <QCoreApplication>
#include <QHostAddress>

#include "app/Commands.h"
#include "app/SignalWatcher.h"
#include "engine/config/HostResolver.h"
#include "engine/profile/Units.h"
#include "services/EchoServer.h"

namespace gatehouse::app {

namespace {

bool splitHostPort(const QString &text, QString *host, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0) {
        return false;
    }
    *host = text.left(colon);
    if (host->startsWith(QLatin1Char('[')) && host->endsWith(QLatin1Char(']'))) {
        *host = host->mid(1, host->size() - 2);
    }
    bool ok = false;
    const uint value = text.mid(colon + 1).toUInt(&ok);
    if (!ok || value > 65535) {
        return false;
    }
    *port = quint16(value);
    return !host->isEmpty();
}

} // namespace

int runEcho(const QStringList &args)
{
    QString bind;
    services::EchoServer::Options options;
    options.name = QStringLiteral("echo");
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        const bool hasValue = i + 1 < args.size();
        if (arg == QLatin1String("--name") && hasValue) {
            options.name = args.at(++i);
        } else if (arg == QLatin1String("--delay") && hasValue) {
            const auto delay = profile::parseDuration(args.at(++i));
            if (!delay) {
                printError(QStringLiteral("echo: --delay takes a duration such as 250ms, not %1").arg(args.at(i)));
                return ExitInvalid;
            }
            options.delay = *delay;
        } else if (arg == QLatin1String("--fail-rate") && hasValue) {
            bool ok = false;
            options.failRate = args.at(++i).toDouble(&ok);
            if (!ok || options.failRate < 0 || options.failRate > 1) {
                printError(QStringLiteral("echo: --fail-rate takes a fraction between 0 and 1, not %1").arg(args.at(i)));
                return ExitInvalid;
            }
        } else if (!arg.startsWith(QLatin1Char('-')) && bind.isEmpty()) {
            bind = arg;
        } else {
            printError(QStringLiteral("echo: unexpected argument %1").arg(arg));
            return ExitInvalid;
        }
    }
    QString host;
    quint16 port = 0;
    if (!splitHostPort(bind, &host, &port)) {
        printError(QStringLiteral("usage: gatehouse echo ADDR:PORT [--name NAME] [--delay D] [--fail-rate R]"));
        return ExitInvalid;
    }
    QString error;
    const auto address = engine::resolveHost(host, &error);
    if (!address) {
        printError(QStringLiteral("echo: cannot resolve %1: %2").arg(host, error));
        return ExitRuntime;
    }
    services::EchoServer server(options);
    if (!server.listen(*address, port)) {
        printError(QStringLiteral("echo: cannot listen on %1:%2: %3").arg(host).arg(port).arg(server.errorString()));
        return ExitRuntime;
    }
    printError(QStringLiteral("echo %1 listening on %2:%3").arg(options.name, host).arg(server.serverPort()));
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminateRequested, [] { QCoreApplication::exit(ExitOk); });
    return QCoreApplication::exec();
}

} // namespace gatehouse::app
