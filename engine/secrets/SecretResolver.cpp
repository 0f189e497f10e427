#include "SecretResolver.h"

#include <QDir>
#include <QFile>

#include "engine/profile/Values.h"
#include "engine/secrets/SecretStore.h"

namespace gatehouse::engine {

namespace {

// Key and secret files are small; anything larger is a wrong path, not a key.
constexpr qint64 kMaxSecretFileBytes = 1024 * 1024;

std::optional<QByteArray> readSecretFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return std::nullopt;
    }
    if (file.size() > kMaxSecretFileBytes) {
        *error = QStringLiteral("file is larger than 1 MiB");
        return std::nullopt;
    }
    QByteArray content = file.readAll();
    if (content.endsWith("\r\n")) {
        content.chop(2);
    } else if (content.endsWith('\n')) {
        content.chop(1);
    }
    return content;
}

} // namespace

std::optional<QByteArray> resolveSecret(const profile::SecretRef &ref, const QString &baseDir, SecretStore *store,
                                        QString *error)
{
    QString problem;
    std::optional<QByteArray> value;
    switch (ref.kind) {
    case profile::SecretRef::Kind::Env:
        if (qEnvironmentVariableIsSet(ref.name.toLocal8Bit().constData())) {
            value = qgetenv(ref.name.toLocal8Bit().constData());
        } else {
            problem = QStringLiteral("environment variable %1 is not set").arg(ref.name);
        }
        break;
    case profile::SecretRef::Kind::File:
        value = readSecretFile(QDir(baseDir).absoluteFilePath(ref.name), &problem);
        break;
    case profile::SecretRef::Kind::Keychain:
        if (store) {
            value = store->read(ref.name, &problem);
        } else {
            problem = QStringLiteral("no OS keychain (Secret Service) is available");
        }
        break;
    case profile::SecretRef::Kind::None:
        problem = QStringLiteral("no secret configured");
        break;
    }
    if (value && value->isEmpty()) {
        value.reset();
        problem = QStringLiteral("the secret is empty");
    }
    if (!value) {
        *error = QStringLiteral("%1: %2").arg(profile::formatSecretRef(ref), problem);
    }
    return value;
}

} // namespace gatehouse::engine
