#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QString>
#include <QStringList>

struct evp_pkey_st; // OpenSSL's EVP_PKEY and X509; OpenSSL itself stays in the .cpp file
struct x509_st;

namespace gatehouse::engine::tls {

struct IssuedCertificate
{
    QByteArray certPem; // the leaf, then the CA certificate
    QByteArray keyPem; // the leaf's private key (PKCS #8)
};

// A local development certificate authority, like mkcert: created once per user, trusted by the
// developer, and used to issue short-lived leaf certificates for local host names.
// Immutable after openOrCreate(), so threads may share it.
class LocalCa final
{
public:
    // GenericDataLocation + "/gatehouse/ca": independent of the application and organization
    // names, so the CLI and the desktop app share one CA.
    static QString defaultFolder();
    // Loads ca.pem + ca-key.pem from `folder`, or creates both when neither exists. A damaged,
    // half-present or group/other-accessible CA is an error naming the file; it is never replaced.
    static std::optional<LocalCa> openOrCreate(const QString &folder, QString *error);

    QByteArray certificatePem() const { return m_certPem; }
    QString certificatePath() const { return m_certPath; }
    // As `openssl x509 -fingerprint -sha256` prints it, so it can be compared with what a browser
    // or trust store shows: colon-separated uppercase hex of the SHA-256 of the DER certificate.
    QByteArray fingerprint() const { return m_fingerprint; }
    // A fresh leaf for `hosts` (DNS names, wildcard DNS names and IP literals), the first one as
    // its common name. An empty list or a bad name gives an empty certPem and sets *error.
    IssuedCertificate issue(const QStringList &hosts, QString *error) const;

private:
    LocalCa() = default;
    static std::optional<LocalCa> load(const QString &folder, QString *error);

    QString m_certPath;
    QByteArray m_certPem;
    QByteArray m_fingerprint;
    std::shared_ptr<x509_st> m_cert;
    std::shared_ptr<evp_pkey_st> m_key;
};

} // namespace gatehouse::engine::tls
