#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QTemporaryDir>

namespace gatehouse::test {

// What `gatehouse ca --trust` changes, inside one temporary folder so a test never touches the
// machine's own stores: a home with Chromium's NSS store, a Firefox profile with one and a
// profile without, the CA folder ($XDG_DATA_HOME), and a Debian system store under a sysroot
// (GATEHOUSE_CA_TRUST_SYSROOT) that already trusts one other CA.
class TrustSandbox final
{
public:
    // Makes the folders and NSS stores (certutil -N); *error says why when it cannot.
    bool create(QString *error);

    QString path() const { return m_dir.path(); }
    QString home() const { return path() + QStringLiteral("/home"); }
    QString dataHome() const { return path() + QStringLiteral("/data"); }
    QString caPath() const { return dataHome() + QStringLiteral("/gatehouse/ca/ca.pem"); }
    QString sysroot() const { return path() + QStringLiteral("/sys"); }
    QString chromiumStore() const { return home() + QStringLiteral("/.pki/nssdb"); }
    QString firefoxProfile() const { return home() + QStringLiteral("/.mozilla/firefox/abc.default-release"); }
    QString profileWithoutStore() const { return home() + QStringLiteral("/.mozilla/firefox/never.started"); }
    QString localCertsDir() const { return sysroot() + QStringLiteral("/usr/local/share/ca-certificates"); }
    QString certsDir() const { return sysroot() + QStringLiteral("/etc/ssl/certs"); }
    QString bundle() const { return certsDir() + QStringLiteral("/ca-certificates.crt"); }
    QString otherCaPath() const { return sysroot() + QStringLiteral("/usr/share/ca-certificates/other/other-ca.crt"); }

    // The system environment with HOME, XDG_DATA_HOME and GATEHOUSE_CA_TRUST_SYSROOT pointing here.
    QProcessEnvironment environment() const;
    // The same three in this process, for code that runs in it (the desktop app's pages).
    void useInThisProcess() const;

    // The trust attributes certutil lists for `nickname` in the store ("C,,"); empty when absent.
    static QString nssTrust(const QString &store, const QString &nickname);
    // The nickname `ca --trust` gives the CA in `caPath`, from openssl's fingerprint of it.
    static QString nickname(const QString &caPath);

private:
    QTemporaryDir m_dir;
};

} // namespace gatehouse::test
