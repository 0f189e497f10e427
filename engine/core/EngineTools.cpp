#include "EngineTools.h"

#include <memory>
#include <optional>

#include <openssl/crypto.h>

#include <QDateTime>
#include <QFile>
#include <QFutureWatcher>
#include <QJsonObject>
#include <QPromise>
#include <QThread>
#include <QThreadPool>

#include "engine/auth/JwtAlgorithm.h"
#include "engine/auth/JwtKeyLoader.h"
#include "engine/auth/JwtMinter.h"
#include "engine/auth/TestTokenClaims.h"
#include "engine/export/KongExport.h"
#include "engine/export/NginxExport.h"
#include "engine/http/HeadWriter.h"
#include "engine/tls/CaTrust.h"
#include "engine/tls/ListenerTlsLoader.h"
#include "engine/tls/LocalCa.h"
#include "engine/tls/TlsWarnings.h"

namespace gatehouse::engine::tools {

namespace {

// Runs `work` on the global pool and hands its result to `done` on `context`'s thread. The
// watcher is the context's child: destroying the context destroys it, and QFutureWatcher drops a
// result that arrives after that (Qt 6.4's QFuture::then(context) asserts the context is alive).
template <typename T>
void runOffThread(QObject *context, std::function<T()> work, std::function<void(const T &)> done)
{
    Q_ASSERT(context && context->thread() == QThread::currentThread());
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, done = std::move(done)] {
        watcher->deleteLater();
        done(watcher->result());
    });
    // QThreadPool takes a copyable function; the promise is move-only.
    auto promise = std::make_shared<QPromise<T>>();
    watcher->setFuture(promise->future());
    promise->start();
    QThreadPool::globalInstance()->start([promise, work = std::move(work)] {
        T result = work();
        // What OpenSSL keeps for this pool thread goes now, as an EngineThread's does at its end:
        // freed at the thread's exit it would come after OPENSSL_cleanup() and leak. OpenSSL
        // makes it again for the next task that needs it.
        OPENSSL_thread_stop();
        promise->addResult(std::move(result));
        promise->finish();
    });
}

TestToken mint(const TestTokenRequest &request, SecretStore *store)
{
    const auto fail = [](const QString &error) { return TestToken { QString(), error }; };
    const auto algorithm = jwtAlgorithmFromName(request.algorithm.toLatin1());
    if (!algorithm) {
        return fail(QStringLiteral("JWT profile '%1' lists no algorithm to sign with").arg(request.jwt.name));
    }
    QString error;
    const auto key = loadSigningKey(request.jwt, request.baseDir, store, &error);
    if (!key) {
        return fail(error);
    }
    QJsonObject claims;
    for (const auto &[name, text] : request.claims) {
        claims.insert(name, claimValueFromText(text));
    }
    const QJsonObject payload = testTokenClaims(request.jwt, claims, request.ttl, QDateTime::currentSecsSinceEpoch());
    const auto token = mintJwt(*key, *algorithm, payload);
    if (!token) {
        return fail(QStringLiteral("the key of JWT profile '%1' cannot sign %2").arg(request.jwt.name, request.algorithm));
    }
    return { QString::fromLatin1(*token), QString() };
}

} // namespace

void mintTestToken(const TestTokenRequest &request, SecretStore *store, QObject *context,
                   std::function<void(const TestToken &)> done)
{
    runOffThread<TestToken>(context, [request, store] { return mint(request, store); }, std::move(done));
}

void checkListenerCertificates(const profile::ListenerTls &listenerTls, const QString &baseDir, QObject *context,
                               std::function<void(const QString &error)> done)
{
    runOffThread<QString>(
        context,
        [listenerTls, baseDir] {
            const tls::ListenerTlsLoad load = tls::loadListenerTls(listenerTls, baseDir, {});
            return load.context ? QString() : load.error;
        },
        std::move(done));
}

void localCaCertificate(QObject *context, std::function<void(const CaCertificate &)> done)
{
    runOffThread<CaCertificate>(
        context,
        [] {
            CaCertificate result;
            if (const auto ca = tls::LocalCa::openOrCreate(tls::LocalCa::defaultFolder(), &result.error)) {
                result.pem = ca->certificatePem();
            }
            return result;
        },
        std::move(done));
}

void trustLocalCa(bool trust, QObject *context, std::function<void(const tls::TrustReport &)> done)
{
    const auto change = trust ? tls::TrustChange::Trust : tls::TrustChange::Untrust;
    runOffThread<tls::TrustReport>(
        context, [change] { return tls::changeCaTrust(tls::LocalCa::defaultFolder(), change); }, std::move(done));
}

QStringList insecureTlsWarnings(const profile::Profile &profile)
{
    return tls::insecureTlsWarnings(profile);
}

QString reasonPhrase(int status)
{
    return QString::fromLatin1(engine::http::reasonPhrase(status));
}

exporter::ExportResult exportProfile(const profile::Profile &profile, ExportFormat format)
{
    return format == ExportFormat::Nginx ? exporter::exportNginx(profile) : exporter::exportKong(profile);
}

exporter::ImportResult importKongFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        exporter::ImportResult unread;
        unread.errors.append(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
        return unread;
    }
    return exporter::importKong(file.readAll(), path);
}

} // namespace gatehouse::engine::tools
