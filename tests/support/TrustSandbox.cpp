#include "TrustSandbox.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

namespace gatehouse::test {

namespace {

bool run(const QString &program, const QStringList &args, QByteArray *out = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    process.closeWriteChannel();
    const bool ok = process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    if (out) {
        *out = process.readAll();
    }
    return ok;
}

bool newNssStore(const QString &folder, QString *error)
{
    QByteArray out;
    if (!QDir().mkpath(folder)
        || !run(QStringLiteral("certutil"), { QStringLiteral("-N"), QStringLiteral("-d"), QStringLiteral("sql:") + folder,
                                              QStringLiteral("--empty-password") }, &out)) {
        *error = QStringLiteral("certutil -N -d sql:%1: %2").arg(folder, QString::fromLocal8Bit(out));
        return false;
    }
    return true;
}

} // namespace

bool TrustSandbox::create(QString *error)
{
    if (!m_dir.isValid()) {
        *error = m_dir.errorString();
        return false;
    }
    for (const QString &folder : { dataHome(), profileWithoutStore(), localCertsDir(), certsDir() }) {
        if (!QDir().mkpath(folder)) {
            *error = QStringLiteral("cannot make %1").arg(folder);
            return false;
        }
    }
    if (!newNssStore(chromiumStore(), error) || !newNssStore(firefoxProfile(), error)) {
        return false;
    }
    // Another CA the system store already trusts, which trust and untrust must leave there.
    QByteArray out;
    if (!QDir().mkpath(QFileInfo(otherCaPath()).path())
        || !run(QStringLiteral("openssl"), { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                                             QStringLiteral("ec"), QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
                                             QStringLiteral("-nodes"), QStringLiteral("-keyout"), path() + QStringLiteral("/other-ca-key.pem"),
                                             QStringLiteral("-out"), otherCaPath(), QStringLiteral("-subj"), QStringLiteral("/CN=Other CA"),
                                             QStringLiteral("-days"), QStringLiteral("2") }, &out)) {
        *error = QStringLiteral("openssl req: %1").arg(QString::fromLocal8Bit(out));
        return false;
    }
    QFile conf(sysroot() + QStringLiteral("/etc/ca-certificates.conf"));
    if (!conf.open(QIODevice::WriteOnly) || conf.write("other/other-ca.crt\n") <= 0) {
        *error = conf.fileName() + QStringLiteral(": ") + conf.errorString();
        return false;
    }
    return true;
}

QProcessEnvironment TrustSandbox::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), home());
    environment.insert(QStringLiteral("XDG_DATA_HOME"), dataHome());
    environment.insert(QStringLiteral("GATEHOUSE_CA_TRUST_SYSROOT"), sysroot());
    return environment;
}

void TrustSandbox::useInThisProcess() const
{
    qputenv("HOME", QFile::encodeName(home()));
    qputenv("XDG_DATA_HOME", QFile::encodeName(dataHome()));
    qputenv("GATEHOUSE_CA_TRUST_SYSROOT", QFile::encodeName(sysroot()));
}

QString TrustSandbox::nssTrust(const QString &store, const QString &nickname)
{
    QByteArray out;
    run(QStringLiteral("certutil"), { QStringLiteral("-L"), QStringLiteral("-d"), QStringLiteral("sql:") + store }, &out);
    // "Gatehouse development CA 3F2A…                               C,,  "
    for (const QByteArray &line : out.split('\n')) {
        const QString text = QString::fromUtf8(line).trimmed();
        if (text.startsWith(nickname + QLatin1Char(' '))) {
            return text.mid(nickname.size()).trimmed();
        }
    }
    return {};
}

QString TrustSandbox::nickname(const QString &caPath)
{
    QByteArray out;
    run(QStringLiteral("openssl"), { QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                                     QStringLiteral("-sha256"), QStringLiteral("-in"), caPath }, &out);
    // "sha256 Fingerprint=4C:73:1B:..."
    const QString hex = QString::fromLatin1(out.mid(out.indexOf('=') + 1).trimmed()).remove(QLatin1Char(':'));
    return QStringLiteral("Gatehouse development CA ") + hex.left(16);
}

} // namespace gatehouse::test
