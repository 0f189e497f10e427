#include "ListenerTlsLoader.h"

#include <QDir>
#include <QFile>

#include "engine/profile/Values.h"
#include "engine/tls/LocalCa.h"

namespace gatehouse::engine::tls {

namespace {

// A PEM file as bytes; certificate and key files are small, anything large is a mistake.
bool readPem(const QString &path, QByteArray &out, QString *error)
{
    constexpr qint64 kMaxPemBytes = 1024 * 1024;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.size() > kMaxPemBytes) {
        *error = QStringLiteral("%1: larger than 1 MiB, not a PEM file").arg(path);
        return false;
    }
    out = file.readAll();
    return true;
}

bool addCertificate(const QString &baseDir, const QString &cert, const QString &key, const QStringList &hosts,
                    QList<CertificatePem> &out, QStringList &files, QString *error)
{
    CertificatePem pem;
    pem.hosts = hosts;
    const QString certPath = QDir(baseDir).absoluteFilePath(cert);
    const QString keyPath = QDir(baseDir).absoluteFilePath(key);
    pem.origin = cert;
    if (!readPem(certPath, pem.certPem, error) || !readPem(keyPath, pem.keyPem, error)) {
        return false;
    }
    files << certPath << keyPath;
    out.append(pem);
    return true;
}

} // namespace

QStringList autoCertificateHosts(const profile::Profile &profile, const profile::Listener &listener)
{
    QStringList hosts = { QStringLiteral("localhost"), QStringLiteral("*.localhost"), QStringLiteral("127.0.0.1"),
                          QStringLiteral("::1") };
    const QString own = listener.bind.host.toLower();
    if (!profile::isWildcardHost(own) && !hosts.contains(own)) {
        hosts.append(own);
    }
    for (const profile::Route &route : profile.routes) {
        for (const QString &host : route.match.hosts) {
            if (!hosts.contains(host)) {
                hosts.append(host);
            }
        }
    }
    return hosts;
}

QList<CertificatePem> readListenerCertificates(const profile::ListenerTls &tls, const QString &baseDir,
                                               const QStringList &autoHosts, QStringList *files, QString *error)
{
    QList<CertificatePem> certificates;
    if (tls.autoIssue) {
        const auto ca = LocalCa::openOrCreate(LocalCa::defaultFolder(), error);
        if (!ca) {
            *error = QStringLiteral("the local development CA: %1").arg(*error);
            return {};
        }
        IssuedCertificate issued = ca->issue(autoHosts, error);
        if (issued.certPem.isEmpty()) {
            return {};
        }
        certificates.append({ autoHosts, issued.certPem, issued.keyPem, QStringLiteral("auto") });
        return certificates;
    }
    if (!tls.cert.isEmpty() && !addCertificate(baseDir, tls.cert, tls.key, {}, certificates, *files, error)) {
        return {};
    }
    for (const profile::TlsCertificate &certificate : tls.certificates) {
        if (!addCertificate(baseDir, certificate.cert, certificate.key, certificate.hosts, certificates, *files, error)) {
            return {};
        }
    }
    return certificates;
}

ListenerTlsLoad loadListenerTls(const profile::ListenerTls &tls, const QString &baseDir, const QStringList &autoHosts)
{
    ListenerTlsLoad load;
    const QList<CertificatePem> certificates = readListenerCertificates(tls, baseDir, autoHosts, &load.files, &load.error);
    if (!certificates.isEmpty()) {
        load.context = ServerTlsContext::create(certificates, &load.error);
    }
    return load;
}

} // namespace gatehouse::engine::tls
