#include "JwtTestKeys.h"

#include <QFile>
#include <QProcess>

namespace gatehouse::test {

namespace {

QByteArray runOpenssl(const QStringList &args, const QByteArray &input = {})
{
    QProcess process;
    process.start(QStringLiteral("openssl"), args);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000) || process.exitCode() != 0) {
        qWarning("openssl %s failed: %s", qPrintable(args.join(u' ')), process.readAllStandardError().constData());
        return {};
    }
    return process.readAllStandardOutput();
}

QStringList genpkeyArgs(const QString &kind)
{
    if (kind == u"RSA") {
        return { QStringLiteral("-algorithm"), QStringLiteral("RSA"), QStringLiteral("-pkeyopt"),
                 QStringLiteral("rsa_keygen_bits:2048") };
    }
    if (kind == u"ED25519") {
        return { QStringLiteral("-algorithm"), QStringLiteral("ED25519") };
    }
    return { QStringLiteral("-algorithm"), QStringLiteral("EC"), QStringLiteral("-pkeyopt"),
             QStringLiteral("ec_paramgen_curve:") + kind };
}

} // namespace

PemPair generateKeyPair(const QTemporaryDir &dir, const QString &kind)
{
    PemPair pair;
    pair.privatePath = dir.filePath(kind + QStringLiteral("-private.pem"));
    pair.publicPath = dir.filePath(kind + QStringLiteral("-public.pem"));
    runOpenssl(QStringList { QStringLiteral("genpkey"), QStringLiteral("-out"), pair.privatePath } + genpkeyArgs(kind));
    runOpenssl({ QStringLiteral("pkey"), QStringLiteral("-in"), pair.privatePath, QStringLiteral("-pubout"),
                 QStringLiteral("-out"), pair.publicPath });
    QFile privateFile(pair.privatePath);
    QFile publicFile(pair.publicPath);
    if (privateFile.open(QIODevice::ReadOnly) && publicFile.open(QIODevice::ReadOnly)) {
        pair.privatePem = privateFile.readAll();
        pair.publicPem = publicFile.readAll();
    }
    return pair;
}

QByteArray opensslSign(const PemPair &keys, const QString &kind, const QByteArray &input)
{
    if (kind == u"ED25519") {
        // One-shot Ed25519 needs the input's size up front, so it goes through a file.
        const QString inputPath = keys.privatePath + QStringLiteral(".input");
        QFile file(inputPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(input) != input.size()) {
            return {};
        }
        file.close();
        return runOpenssl({ QStringLiteral("pkeyutl"), QStringLiteral("-sign"), QStringLiteral("-rawin"),
                            QStringLiteral("-inkey"), keys.privatePath, QStringLiteral("-in"), inputPath });
    }
    const QString digest = kind == u"P-384" ? QStringLiteral("-sha384") : QStringLiteral("-sha256");
    return runOpenssl({ QStringLiteral("dgst"), digest, QStringLiteral("-sign"), keys.privatePath }, input);
}

} // namespace gatehouse::test
