#include "LocalCa.h"

#include <openssl/x509v3.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QSysInfo>

#include "engine/base/OpenSslHandles.h"
#include "engine/tls/TlsErrors.h"

namespace gatehouse::engine::tls {

namespace {

using ExtensionPtr = std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)>;

const QString kCertFile = QStringLiteral("ca.pem");
const QString kKeyFile = QStringLiteral("ca-key.pem");
const QString kLockFile = QStringLiteral("ca.lock");
constexpr int kLockTimeoutMs = 10000; // creating a CA takes milliseconds
constexpr int kSerialBits = 159; // RFC 5280: positive and at most 20 octets
constexpr int kNameEntryMax = 64; // ub-common-name, ub-organization-name: OpenSSL refuses longer
constexpr qint64 kClockSkewSecs = 3600; // so a peer whose clock runs a little behind accepts it
constexpr int kCaYears = 10;
constexpr int kLeafDays = 397; // browsers refuse leaf certificates valid for longer (398 days)
constexpr QFile::Permissions kOthersAccess = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
    | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;

QByteArray toPem(auto write)
{
    ossl::Bio bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || write(bio.get()) != 1) {
        return {};
    }
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(size));
}

QByteArray pemOf(X509 *cert)
{
    return toPem([cert](BIO *bio) { return PEM_write_bio_X509(bio, cert); });
}

// Unencrypted PKCS #8; the file's permissions protect it, as with ssh and mkcert keys.
QByteArray pemOf(EVP_PKEY *key)
{
    return toPem([key](BIO *bio) { return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

template<typename T>
T *fromPem(const QByteArray &pem, T *(*read)(BIO *, T **, pem_password_cb *, void *))
{
    ossl::Bio bio(BIO_new_mem_buf(pem.constData(), int(pem.size())), BIO_free);
    // A passphrase callback that gives none: an encrypted key fails instead of prompting.
    T *object = bio ? read(bio.get(), nullptr, [](char *, int, int, void *) { return 0; }, nullptr) : nullptr;
    ERR_clear_error();
    return object;
}

bool addNameEntry(X509_NAME *name, const char *field, const QString &value)
{
    const QByteArray utf8 = value.left(kNameEntryMax).toUtf8();
    const auto *bytes = reinterpret_cast<const unsigned char *>(utf8.constData());
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, bytes, int(utf8.size()), -1, 0) == 1;
}

// `value` in openssl.cnf syntax, e.g. "critical,CA:TRUE"; `issuer` provides the authority key id.
bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context {};
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value), X509_EXTENSION_free);
    return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

// What the CA and the leaves share: version 3, a random serial, the validity window, the
// subject and its key. Extensions and the signature come after.
ossl::X509Ptr newCertificate(EVP_PKEY *key, const QString &organization, const QString &commonName,
                             const QDateTime &notAfter)
{
    ossl::X509Ptr cert(X509_new(), X509_free);
    ossl::Bignum serial(BN_new(), BN_free);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const bool ok = key && cert && serial && X509_set_version(cert.get(), X509_VERSION_3) == 1
        && BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1
        && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))
        && ASN1_TIME_set(X509_getm_notBefore(cert.get()), time_t(now - kClockSkewSecs))
        && ASN1_TIME_set(X509_getm_notAfter(cert.get()), time_t(notAfter.toSecsSinceEpoch()))
        && addNameEntry(X509_get_subject_name(cert.get()), "O", organization)
        && addNameEntry(X509_get_subject_name(cert.get()), "CN", commonName)
        && X509_set_pubkey(cert.get(), key) == 1;
    return ok ? std::move(cert) : ossl::X509Ptr(nullptr, X509_free);
}

// A new CA key and self-signed certificate, written key first. The caller holds the lock.
bool createCa(const QDir &folder, QString *error)
{
    const QString user = qEnvironmentVariable("USER", QDir::home().dirName());
    const auto key = ossl::sharedPkey(EVP_EC_gen("P-256"));
    const ossl::X509Ptr cert = newCertificate(
        key.get(), QStringLiteral("Gatehouse development CA"),
        QStringLiteral("Gatehouse development CA (%1@%2)").arg(user, QSysInfo::machineHostName()),
        QDateTime::currentDateTimeUtc().addYears(kCaYears));
    const bool ok = cert && X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1
        && addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0")
        && addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign")
        && addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash")
        && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
    if (!ok) {
        *error = QStringLiteral("cannot create a CA: %1").arg(takeOpenSslError());
        return false;
    }
    const auto write = [error](const QString &path, const QByteArray &content, QFile::Permissions permissions) {
        QSaveFile file(path);
        // The permissions go on before the first byte, so the key is never readable by others.
        if (file.open(QIODevice::WriteOnly) && file.setPermissions(permissions)
            && file.write(content) == content.size() && file.commit()) {
            return true;
        }
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    };
    return write(folder.filePath(kKeyFile), pemOf(key.get()), QFile::ReadOwner | QFile::WriteOwner)
        && write(folder.filePath(kCertFile), pemOf(cert.get()),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
}

bool readFile(const QString &path, QByteArray *content, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    *content = file.readAll();
    return true;
}

// The SAN entry for `host` ("DNS:…" or "IP:…"), or nothing when it is neither a (wildcard) host
// name nor an IP literal.
std::optional<QString> subjectAltName(const QString &host)
{
    // RFC 1123 labels, an optional leading "*.", and a last label that is not all digits, so
    // "127.1" is not taken as a name.
    static const QRegularExpression hostName(QStringLiteral("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*"
                                                            "(?=[a-z0-9-]*[a-z])[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
                                             QRegularExpression::CaseInsensitiveOption);
    // QHostAddress is lenient (spaces, "%scope", "127.1"): take only canonical IPv4 and plain IPv6.
    static const QRegularExpression ipv6Chars(QStringLiteral("^[0-9a-f:.]+$"),
                                              QRegularExpression::CaseInsensitiveOption);
    QHostAddress address;
    if (address.setAddress(host)
        && (address.protocol() == QAbstractSocket::IPv4Protocol ? address.toString() == host
                                                                 : ipv6Chars.match(host).hasMatch())) {
        return QStringLiteral("IP:") + address.toString();
    }
    if (host.size() <= 253 && hostName.match(host).hasMatch()) {
        return QStringLiteral("DNS:") + host;
    }
    return std::nullopt;
}

} // namespace

QString LocalCa::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/gatehouse/ca");
}

std::optional<LocalCa> LocalCa::openOrCreate(const QString &folder, QString *error)
{
    const QDir dir(folder);
    if (dir.exists(kCertFile) && dir.exists(kKeyFile)) {
        return load(folder, error);
    }
    // Only the owner may enter the CA's own folder; its parents are made as usual.
    QDir().mkpath(QFileInfo(folder).absolutePath());
    QDir().mkdir(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    if (!QFileInfo(folder).isDir()) {
        *error = QStringLiteral("%1: cannot create the folder").arg(folder);
        return std::nullopt;
    }
    // Two processes starting at once must not make two CAs; the loser of the race waits, then
    // finds the winner's files. A lock left by a crashed process is detected and taken over.
    QLockFile lock(dir.filePath(kLockFile));
    if (!lock.tryLock(kLockTimeoutMs)) {
        *error = dir.filePath(kLockFile)
            + (lock.error() == QLockFile::LockFailedError ? QStringLiteral(": held by another process")
                                                          : QStringLiteral(": cannot create the lock file"));
        return std::nullopt;
    }
    if (!dir.exists(kCertFile) && !dir.exists(kKeyFile) && !createCa(dir, error)) {
        return std::nullopt;
    }
    return load(folder, error);
}

std::optional<LocalCa> LocalCa::load(const QString &folder, QString *error)
{
    const QDir dir(folder);
    const QString certPath = dir.filePath(kCertFile);
    const QString keyPath = dir.filePath(kKeyFile);
    // Like ssh: a private key others can read may already be leaked, and it signs for any name.
    if (QFile::permissions(keyPath) & kOthersAccess) {
        *error = QStringLiteral("%1: accessible by other users; run chmod 600 on it").arg(keyPath);
        return std::nullopt;
    }
    QByteArray certPem;
    QByteArray keyPem;
    if (!readFile(certPath, &certPem, error) || !readFile(keyPath, &keyPem, error)) {
        return std::nullopt;
    }
    LocalCa ca;
    ca.m_cert.reset(fromPem<X509>(certPem, PEM_read_bio_X509), X509_free);
    ca.m_key = ossl::sharedPkey(fromPem<EVP_PKEY>(keyPem, PEM_read_bio_PrivateKey));
    if (!ca.m_cert || X509_check_ca(ca.m_cert.get()) == 0) {
        *error = QStringLiteral("%1: not a PEM CA certificate").arg(certPath);
        return std::nullopt;
    }
    if (!ca.m_key) {
        *error = QStringLiteral("%1: not a PEM private key").arg(keyPath);
        return std::nullopt;
    }
    if (X509_check_private_key(ca.m_cert.get(), ca.m_key.get()) != 1) {
        ERR_clear_error();
        *error = QStringLiteral("%1: not the key of %2").arg(keyPath, certPath);
        return std::nullopt;
    }
    ca.m_certPath = certPath;
    ca.m_certPem = pemOf(ca.m_cert.get());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestSize = 0;
    if (X509_digest(ca.m_cert.get(), EVP_sha256(), digest, &digestSize) != 1) {
        *error = QStringLiteral("%1: %2").arg(certPath, takeOpenSslError());
        return std::nullopt;
    }
    ca.m_fingerprint = QByteArray(reinterpret_cast<const char *>(digest), int(digestSize)).toHex(':').toUpper();
    return ca;
}

IssuedCertificate LocalCa::issue(const QStringList &hosts, QString *error) const
{
    if (hosts.isEmpty()) {
        *error = QStringLiteral("no host names to issue a certificate for");
        return {};
    }
    QStringList altNames;
    for (const QString &host : hosts) {
        const auto altName = subjectAltName(host);
        if (!altName) {
            *error = QStringLiteral("'%1' is not a host name, wildcard host name or IP address").arg(host);
            return {};
        }
        altNames.append(*altName);
    }
    const auto key = ossl::sharedPkey(EVP_EC_gen("P-256"));
    const ossl::X509Ptr cert = newCertificate(key.get(), QStringLiteral("Gatehouse development certificate"),
                                              hosts.first(), QDateTime::currentDateTimeUtc().addDays(kLeafDays));
    const bool ok = cert && X509_set_issuer_name(cert.get(), X509_get_subject_name(m_cert.get())) == 1
        && addExtension(cert.get(), m_cert.get(), NID_basic_constraints, "critical,CA:FALSE")
        && addExtension(cert.get(), m_cert.get(), NID_key_usage, "critical,digitalSignature")
        && addExtension(cert.get(), m_cert.get(), NID_ext_key_usage, "serverAuth")
        && addExtension(cert.get(), m_cert.get(), NID_subject_alt_name,
                        altNames.join(QLatin1Char(',')).toLatin1().constData())
        && addExtension(cert.get(), m_cert.get(), NID_subject_key_identifier, "hash")
        && addExtension(cert.get(), m_cert.get(), NID_authority_key_identifier, "keyid")
        && X509_sign(cert.get(), m_key.get(), EVP_sha256()) > 0;
    if (!ok) {
        *error = QStringLiteral("cannot issue a certificate: %1").arg(takeOpenSslError());
        return {};
    }
    return { pemOf(cert.get()) + m_certPem, pemOf(key.get()) };
}

} // namespace gatehouse::engine::tls
