#pragma once

#include <chrono>
#include <functional>
#include <utility>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "engine/export/ExportResult.h"
#include "engine/export/KongImport.h"
#include "engine/profile/Profile.h"
#include "engine/tls/TrustReport.h"

class QObject;

namespace gatehouse::engine {

class SecretStore;

// The engine's tools for the UI beside the Gateway: test tokens, the local CA, certificate
// checks. What may be slow (the keychain, key and PEM files, RSA/EC signing, the CA on disk) runs
// on the global thread pool, so the window stays responsive; `done` then runs on the thread of
// `context` (which must live on the calling thread), and never once `context` is destroyed, so
// a dialog closed meanwhile is not called back.
namespace tools {

struct TestTokenRequest
{
    profile::JwtProfile jwt;
    QString baseDir; // resolves relative key files
    QString algorithm; // a name from jwt.algorithms
    // As typed: a value is JSON when it parses as JSON (42, true, ["a","b"]), else text.
    QList<std::pair<QString, QString>> claims;
    std::chrono::seconds ttl { 3600 };
};

struct TestToken
{
    QString token; // empty when `error` says why
    QString error;
};

struct CaCertificate
{
    QByteArray pem; // empty when `error` says why
    QString error;
};

// The token `gatehouse token` would print: the same claims, signed by the same engine signer.
// The key is loaded for each token, so a secret replaced in the keychain meanwhile is the one
// used; `store` (may be null) answers keychain: references from a pool thread, so it must be
// thread-safe and outlive the work.
void mintTestToken(const TestTokenRequest &request, SecretStore *store, QObject *context,
                   std::function<void(const TestToken &)> done);
// Reads a listener's certificate files as `gatehouse check` does (there, parseable, matching):
// `done` gets why they do not load, or an empty string when they do.
void checkListenerCertificates(const profile::ListenerTls &listenerTls, const QString &baseDir, QObject *context,
                               std::function<void(const QString &error)> done);
// The local development CA's certificate; the CA is created on first use.
void localCaCertificate(QObject *context, std::function<void(const CaCertificate &)> done);
// `gatehouse ca --trust` (trust) or `--untrust`: the local CA added to or removed from the system
// store (skipped, with the sudo commands to run, without root) and the NSS stores of Firefox and
// Chromium. It runs certutil and update-ca-certificates, which take seconds.
void trustLocalCa(bool trust, QObject *context, std::function<void(const tls::TrustReport &)> done);

// Quick ones, answered on the calling thread.
QStringList insecureTlsWarnings(const profile::Profile &profile);
QString reasonPhrase(int status);

enum class ExportFormat { Nginx, Kong };
// What `gatehouse export --format nginx|kong` writes, and its "not exported" lines.
exporter::ExportResult exportProfile(const profile::Profile &profile, ExportFormat format);
// What `gatehouse import FILE --from kong` reads; a file that cannot be read is an error line.
exporter::ImportResult importKongFile(const QString &path);

} // namespace tools

} // namespace gatehouse::engine
