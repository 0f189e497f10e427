#include <cstdio>

#include <QCryptographicHash>
#include <QSaveFile>

#include "app/Commands.h"
#include "engine/tls/LocalCa.h"

namespace gatehouse::app {

namespace {

const QString kUsage = QStringLiteral("usage: gatehouse ca                  show the local development CA\n"
                                      "       gatehouse ca --export FILE|-  write its certificate (PEM) to FILE or stdout");

// As `openssl x509 -fingerprint -sha256` prints it, so it can be compared with what a browser or
// trust store shows: colon-separated uppercase hex of the SHA-256 of the DER certificate.
QByteArray fingerprint(const QByteArray &pem)
{
    const QByteArray begin = "-----BEGIN CERTIFICATE-----";
    const qsizetype from = pem.indexOf(begin) + begin.size();
    const QByteArray der = QByteArray::fromBase64(pem.mid(from, pem.indexOf("-----END", from) - from));
    return QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex(':').toUpper();
}

} // namespace

// `gatehouse ca` creates the CA on first use, so `--export` is all a developer needs before
// importing it into a browser or the system trust store.
int runCa(const QStringList &args)
{
    const bool exporting = args.size() == 2 && args.first() == u"--export";
    if (!args.isEmpty() && !exporting) {
        const QString problem = args.first() == u"--export"
            ? QStringLiteral("--export takes one FILE, or - for stdout")
            : QStringLiteral("unexpected argument %1").arg(args.first());
        printError(QStringLiteral("ca: %1\n%2").arg(problem, kUsage));
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
    std::printf("SHA-256 fingerprint: %s\n", fingerprint(pem).constData());
    return ExitOk;
}

} // namespace gatehouse::app
