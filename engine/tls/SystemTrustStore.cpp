#include "SystemTrustStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include "engine/tls/ToolRun.h"
#include "engine/tls/TrustedCa.h"

namespace gatehouse::engine::tls {

namespace {

const QString kInstallHint = QStringLiteral("install ca-certificates (sudo apt install ca-certificates)");

struct Layout
{
    QString localCertsDir;
    QString bundle;
    QStringList options; // for update-ca-certificates; empty for the real system
};

Layout layout()
{
    const QString sysroot = qEnvironmentVariable("GATEHOUSE_CA_TRUST_SYSROOT");
    // Absolute, because update-ca-certificates changes into its etccertsdir before using the others.
    const QString root = sysroot.isEmpty() ? QString() : QDir(sysroot).absolutePath();
    const auto path = [&root](const char *systemPath) { return root + QLatin1String(systemPath); };
    Layout layout { path("/usr/local/share/ca-certificates"), path("/etc/ssl/certs/ca-certificates.crt"), {} };
    if (!root.isEmpty()) {
        layout.options = { QStringLiteral("--certsconf"), path("/etc/ca-certificates.conf"),
                           QStringLiteral("--certsdir"), path("/usr/share/ca-certificates"),
                           QStringLiteral("--localcertsdir"), layout.localCertsDir,
                           QStringLiteral("--etccertsdir"), path("/etc/ssl/certs"),
                           QStringLiteral("--hooksdir"), path("/etc/ca-certificates/update.d") };
    }
    return layout;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The bundle concatenates the certificates as their files have them: compare the base64 alone.
QByteArray withoutWhitespace(QByteArray text)
{
    text.replace('\n', QByteArray()).replace('\r', QByteArray());
    return text;
}

bool bundleHolds(const QString &bundle, const QByteArray &pem)
{
    return withoutWhitespace(readFile(bundle)).contains(withoutWhitespace(pem));
}

QString shellQuoted(const QString &word)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
    return plain.match(word).hasMatch() ? word : QLatin1Char('\'') + QString(word).replace(u'\'', QStringLiteral("'\\''")) + QLatin1Char('\'');
}

QString shellCommand(const QStringList &words)
{
    QStringList quoted;
    for (const QString &word : words) {
        quoted.append(shellQuoted(word));
    }
    return quoted.join(u' ');
}

// Root-owned like the rest of the store, readable by everyone: OpenSSL reads it as the user.
bool writeCertificate(const QString &path, const QByteArray &pem, QString *error)
{
    QFile file(path);
    const bool ok = file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(pem) == pem.size()
        && file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    if (!ok) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
    }
    return ok;
}

bool removeFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.remove()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

StoreOutcome changeSystemTrust(const TrustedCa &ca, TrustChange change)
{
    const Layout store = layout();
    const QString target = store.localCertsDir + QLatin1Char('/') + ca.fileName;
    const bool trust = change == TrustChange::Trust;
    const auto outcome = [&target](StoreOutcome::Kind kind, const QString &detail = {}) {
        return StoreOutcome { kind, QStringLiteral("the system store (%1)").arg(target), detail };
    };
    if (trust && readFile(target) == ca.pem && bundleHolds(store.bundle, ca.pem)) {
        return outcome(StoreOutcome::AlreadyTrusted);
    }
    if (!trust && !QFileInfo::exists(target)) {
        return outcome(StoreOutcome::NotPresent);
    }
    if (!QFileInfo(store.localCertsDir).isDir()) {
        return outcome(StoreOutcome::Skipped, QStringLiteral("%1 does not exist: %2").arg(store.localCertsDir, kInstallHint));
    }
    const QString update = findTool(QStringLiteral("update-ca-certificates"), { QStringLiteral("/usr/sbin"), QStringLiteral("/sbin") });
    if (update.isEmpty()) {
        return outcome(StoreOutcome::Skipped, QStringLiteral("update-ca-certificates not found: %1").arg(kInstallHint));
    }
    // --fresh: a plain run can leave the removed certificate's link in /etc/ssl/certs behind.
    const QStringList updateArgs = (trust ? QStringList() : QStringList { QStringLiteral("--fresh") }) + store.options;
    if (!QFileInfo(store.localCertsDir).isWritable()) {
        const QStringList command = trust
            ? QStringList { QStringLiteral("install"), QStringLiteral("-m"), QStringLiteral("644"), ca.certPath, target }
            : QStringList { QStringLiteral("rm"), target };
        return outcome(StoreOutcome::Skipped,
                       QStringLiteral("it needs root; run: sudo %1 && sudo %2")
                           .arg(shellCommand(command),
                                shellCommand(QStringList { QStringLiteral("update-ca-certificates") } + updateArgs)));
    }
    QString error;
    if (trust ? !writeCertificate(target, ca.pem, &error) : !removeFile(target, &error)) {
        return outcome(StoreOutcome::Failed, error);
    }
    const ToolRun run = ToolRun::of(update, updateArgs);
    if (!run.ok) {
        return outcome(StoreOutcome::Failed, run.problem);
    }
    if (bundleHolds(store.bundle, ca.pem) != trust) {
        return outcome(StoreOutcome::Failed, QStringLiteral("update-ca-certificates ran, but %1 %2 the CA")
                                                 .arg(store.bundle, trust ? QStringLiteral("does not hold") : QStringLiteral("still holds")));
    }
    return outcome(trust ? StoreOutcome::Added : StoreOutcome::Removed);
}

} // namespace gatehouse::engine::tls
