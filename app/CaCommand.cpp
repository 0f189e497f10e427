#include <cstdio>

#include <QSaveFile>

#include "app/Commands.h"
#include "engine/tls/CaTrust.h"
#include "engine/tls/LocalCa.h"

namespace gatehouse::app {

namespace {

const QString kCaUsage = QStringLiteral("usage: gatehouse ca                  show the local development CA\n"
                                      "       gatehouse ca --export FILE|-  write its certificate (PEM) to FILE or stdout\n"
                                      "       gatehouse ca --trust          add it to the system store and the NSS stores of\n"
                                      "                                     Firefox and Chromium (run it as yourself: without\n"
                                      "                                     root it prints the system store's sudo commands)\n"
                                      "       gatehouse ca --untrust        remove it from them again");

// One line per store, on stdout: what a script may parse; the exit code says whether all went well.
int changeTrust(engine::tls::TrustChange change)
{
    const engine::tls::TrustReport report = engine::tls::changeCaTrust(engine::tls::LocalCa::defaultFolder(), change);
    if (!report.error.isEmpty()) {
        printError(QStringLiteral("ca: %1").arg(report.error));
        return ExitRuntime;
    }
    for (const QString &line : report.lines()) {
        std::printf("%s\n", qPrintable(line));
    }
    return report.failed() ? ExitStoreFailed : ExitOk;
}

} // namespace

// `gatehouse ca` creates the CA on first use, so `--export` is all a developer needs before
// importing it into a browser or the system trust store.
int runCa(const QStringList &args)
{
    if (args.size() == 1 && (args.first() == u"--trust" || args.first() == u"--untrust")) {
        return changeTrust(args.first() == u"--trust" ? engine::tls::TrustChange::Trust : engine::tls::TrustChange::Untrust);
    }
    const bool exporting = args.size() == 2 && args.first() == u"--export";
    if (!args.isEmpty() && !exporting) {
        const QString problem = args.first() == u"--export" ? QStringLiteral("--export takes one FILE, or - for stdout")
            : args.first() == u"--trust" || args.first() == u"--untrust"
            ? QStringLiteral("%1 takes no other argument").arg(args.first())
            : QStringLiteral("unexpected argument %1").arg(args.first());
        printError(QStringLiteral("ca: %1\n%2").arg(problem, kCaUsage));
        return ExitInvalid;
    }
    const QString folder = engine::tls::LocalCa::defaultFolder();
    QString error;
    const auto ca = engine::tls::LocalCa::openOrCreate(folder, &error);
    if (!ca) {
        printError(QStringLiteral("ca: %1").arg(error));
        return ExitRuntime;
    }
    const QByteArray pem = ca->certificatePem();
    const QString target = exporting ? args.at(1) : QString();
    if (target == u"-") {
        std::fwrite(pem.constData(), 1, size_t(pem.size()), stdout);
        return ExitOk;
    }
    if (exporting) {
        QSaveFile file(target);
        if (!file.open(QIODevice::WriteOnly) || file.write(pem) != pem.size() || !file.commit()) {
            printError(QStringLiteral("ca: %1: %2").arg(target, file.errorString()));
            return ExitRuntime;
        }
        std::printf("exported %s to %s\n", qPrintable(ca->certificatePath()), qPrintable(target));
    } else {
        std::printf("CA folder: %s\ncertificate: %s\n", qPrintable(folder), qPrintable(ca->certificatePath()));
    }
    std::printf("SHA-256 fingerprint: %s\n", ca->fingerprint().constData());
    return ExitOk;
}

} // namespace gatehouse::app
