#include "KeychainSecretStore.h"

#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace gatehouse::app {

namespace {

const QString kService = QStringLiteral("gatehouse");
constexpr int kTimeoutMs = 10'000;

// Runs a job to completion in a local event loop; false with `error` set when it failed or the
// keychain did not answer in time.
bool runJob(QKeychain::Job &job, QString *error)
{
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&finished] { finished = true; });
    timer.start(kTimeoutMs);
    job.start();
    if (!finished) {
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    }
    if (!finished) {
        *error = QStringLiteral("the OS keychain did not answer within 10 s");
        return false;
    }
    if (job.error() != QKeychain::NoError) {
        *error = job.error() == QKeychain::EntryNotFound ? QStringLiteral("no such item in the OS keychain")
                                                          : QStringLiteral("OS keychain: %1").arg(job.errorString());
        return false;
    }
    return true;
}

} // namespace

std::optional<QByteArray> KeychainSecretStore::read(const QString &name, QString *error)
{
    QKeychain::ReadPasswordJob job(kService);
    job.setAutoDelete(false);
    job.setKey(name);
    if (!runJob(job, error)) {
        return std::nullopt;
    }
    return job.binaryData();
}

bool KeychainSecretStore::write(const QString &name, const QByteArray &secret, QString *error)
{
    QKeychain::WritePasswordJob job(kService);
    job.setAutoDelete(false);
    job.setKey(name);
    job.setBinaryData(secret);
    return runJob(job, error);
}

bool KeychainSecretStore::remove(const QString &name, QString *error)
{
    QKeychain::DeletePasswordJob job(kService);
    job.setAutoDelete(false);
    job.setKey(name);
    return runJob(job, error);
}

} // namespace gatehouse::app
