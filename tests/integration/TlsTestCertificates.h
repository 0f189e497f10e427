#pragma once

// Test certificates from the openssl command-line tool (a CA and leaves it signs, with SANs), and
// what a fresh TLS connection is served, seen through `openssl s_client`. Shared by the TLS
// listener and HTTPS upstream integration tests.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

namespace gatehouse::test::it {

// Runs `openssl ARGS` with `input` on stdin (then EOF, like `</dev/null`); the exit code, or -1
// when it did not finish in time.
inline int openssl(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr,
                   const QByteArray &input = {}, int timeoutMs = 15000)
{
    QProcess process;
    process.start(QStringLiteral("openssl"), args);
    if (!process.waitForStarted(5000)) {
        return -1;
    }
    if (!input.isEmpty()) {
        process.write(input);
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        return -1;
    }
    const QByteArray stdoutBytes = process.readAllStandardOutput();
    const QByteArray stderrBytes = process.readAllStandardError();
    if (out) {
        *out = stdoutBytes;
    }
    if (err) {
        *err = stderrBytes;
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

// A P-256 CA, self-signed: DIR/NAME.pem and DIR/NAME-key.pem.
inline bool makeTestCa(const QString &dir, const QString &name, const QString &commonName)
{
    QByteArray err;
    const int code = openssl({ QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                               QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                               QStringLiteral("-keyout"), QDir(dir).filePath(name + QStringLiteral("-key.pem")),
                               QStringLiteral("-out"), QDir(dir).filePath(name + QStringLiteral(".pem")),
                               QStringLiteral("-days"), QStringLiteral("2"),
                               QStringLiteral("-subj"), QStringLiteral("/CN=") + commonName,
                               QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
                               QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign") },
                             nullptr, &err);
    if (code != 0) {
        qWarning("openssl req -x509 failed: %s", err.constData());
    }
    return code == 0;
}

// A P-256 key DIR/NAME-key.pem and its certificate DIR/NAME.pem with CN `commonName`, signed by
// the CA DIR/CA.pem with a random serial and the X.509v3 `extensions` (openssl -extfile syntax).
inline bool makeSignedCertificate(const QString &dir, const QString &name, const QString &ca, const QString &commonName,
                                  const QByteArray &extensions)
{
    const QDir folder(dir);
    const QString csr = folder.filePath(name + QStringLiteral(".csr"));
    const QString extensionFile = folder.filePath(name + QStringLiteral(".ext"));
    QFile ext(extensionFile);
    if (!ext.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    ext.write(extensions);
    ext.close();
    QByteArray err;
    if (openssl({ QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                  QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                  QStringLiteral("-keyout"), folder.filePath(name + QStringLiteral("-key.pem")),
                  QStringLiteral("-out"), csr, QStringLiteral("-subj"), QStringLiteral("/CN=") + commonName },
                nullptr, &err)
        != 0) {
        qWarning("openssl req -new failed: %s", err.constData());
        return false;
    }
    const QString serial = QStringLiteral("0x%1").arg(QRandomGenerator::global()->generate64() >> 2, 0, 16);
    if (openssl({ QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr,
                  QStringLiteral("-CA"), folder.filePath(ca + QStringLiteral(".pem")),
                  QStringLiteral("-CAkey"), folder.filePath(ca + QStringLiteral("-key.pem")),
                  QStringLiteral("-set_serial"), serial, QStringLiteral("-days"), QStringLiteral("2"),
                  QStringLiteral("-extfile"), extensionFile, QStringLiteral("-out"), folder.filePath(name + QStringLiteral(".pem")) },
                nullptr, &err)
        != 0) {
        qWarning("openssl x509 -req failed: %s", err.constData());
        return false;
    }
    return true;
}

// A server leaf signed by DIR/CA.pem: DIR/NAME.pem and DIR/NAME-key.pem, with CN `commonName` and
// `subjectAltNames` such as "DNS:localhost", "DNS:*.b.test", "IP:127.0.0.1".
inline bool makeTestLeaf(const QString &dir, const QString &name, const QString &ca, const QString &commonName,
                         const QStringList &subjectAltNames)
{
    return makeSignedCertificate(dir, name, ca, commonName,
                                 "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                                 "subjectAltName=" + subjectAltNames.join(QLatin1Char(',')).toUtf8() + '\n');
}

// An intermediate CA signed by DIR/CA.pem: DIR/NAME.pem and DIR/NAME-key.pem.
inline bool makeTestIntermediate(const QString &dir, const QString &name, const QString &ca, const QString &commonName)
{
    return makeSignedCertificate(dir, name, ca, commonName,
                                 "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
}

// Concatenates files (a leaf and its intermediates, leaf first) into DIR/NAME.
inline bool concatenateFiles(const QString &dir, const QString &name, const QStringList &parts)
{
    QByteArray all;
    for (const QString &part : parts) {
        QFile file(QDir(dir).filePath(part));
        if (!file.open(QIODevice::ReadOnly)) {
            return false;
        }
        all += file.readAll();
    }
    QFile out(QDir(dir).filePath(name));
    return out.open(QIODevice::WriteOnly | QIODevice::Truncate) && out.write(all) == all.size();
}

// The certificate a new connection to 127.0.0.1:PORT is served for SNI `serverName` (none when
// empty), as `openssl s_client` prints it; null when the handshake failed. `output` gets all it said.
inline QSslCertificate servedCertificate(quint16 port, const QString &serverName, QByteArray *output = nullptr)
{
    QStringList args { QStringLiteral("s_client"), QStringLiteral("-connect"),
                       QStringLiteral("127.0.0.1:%1").arg(port) };
    if (serverName.isEmpty()) {
        args << QStringLiteral("-noservername");
    } else {
        args << QStringLiteral("-servername") << serverName;
    }
    QByteArray out;
    QByteArray err;
    openssl(args, &out, &err, {}, 10000);
    if (output) {
        *output = out + err;
    }
    return QSslCertificate::fromData(out, QSsl::Pem).value(0);
}

inline QString commonNameOf(const QSslCertificate &certificate)
{
    return certificate.subjectInfo(QSslCertificate::CommonName).value(0);
}

} // namespace gatehouse::test::it
