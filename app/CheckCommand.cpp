#include <cstdio>

#include "app/Commands.h"
#include "app/ProfileLoading.h"
#include "engine/auth/JwtKeyLoader.h"
#include "engine/profile/Values.h"
#include "engine/tls/ClientTlsContext.h"
#include "engine/tls/ListenerTlsLoader.h"
#include "engine/tls/TlsWarnings.h"

#include <QDir>

namespace gatehouse::app {

namespace {

// Beyond the file's own rules: do the JWT key files it points at load, and is an HMAC secret
// long enough? `file:` keys and JWKS files travel with the profile, so a missing, broken or weak
// one is the profile's problem. An `env:` key is checked when the variable is set here (a weak
// secret is weak wherever it runs); unset, like `keychain:` references and JWKS URLs, it belongs
// to where the profile runs, and `serve` names it if it fails.
int reportKeyProblems(const QString &path, const profile::Profile &profile)
{
    int problems = 0;
    for (const profile::JwtProfile &jwt : profile.jwt) {
        const profile::SecretRef &key = jwt.secret.isSet() ? jwt.secret : jwt.publicKey;
        const bool fromFiles = key.isSet() ? key.kind == profile::SecretRef::Kind::File : !engine::hasRemoteJwks(jwt);
        const bool fromSetEnvironment = key.kind == profile::SecretRef::Kind::Env && qEnvironmentVariableIsSet(key.name.toLocal8Bit().constData());
        if (!fromFiles && !fromSetEnvironment) {
            continue;
        }
        const engine::JwtKeyLoad load = engine::loadVerificationKeys(jwt, profile.baseDir, nullptr);
        if (!load.keys) {
            std::printf("%s:%d:%d: JWT profile '%s': %s\n", path.toLocal8Bit().constData(), jwt.pos.line, jwt.pos.column,
                        jwt.name.toLocal8Bit().constData(), load.error.toLocal8Bit().constData());
            ++problems;
        }
    }
    return problems;
}

// The certificate and CA files a profile names travel with it, like its JWT key files. `auto`
// certificates come from this machine's local CA, so they are left to `serve`.
int reportTlsProblems(const QString &path, const profile::Profile &profile)
{
    int problems = 0;
    const auto report = [&](const profile::SourcePos &pos, const QString &message) {
        std::printf("%s:%d:%d: %s\n", path.toLocal8Bit().constData(), pos.line, pos.column, message.toLocal8Bit().constData());
        ++problems;
    };
    for (const profile::Listener &listener : profile.listen) {
        if (!listener.tls || listener.tls->autoIssue) {
            continue;
        }
        const engine::tls::ListenerTlsLoad load = engine::tls::loadListenerTls(*listener.tls, profile.baseDir, {});
        if (!load.context) {
            report(listener.pos, QStringLiteral("listen %1: tls: %2").arg(profile::formatHostPort(listener.bind), load.error));
        }
    }
    if (profile.admin && profile.admin->tls && !profile.admin->tls->autoIssue) {
        QStringList files;
        QString error;
        if (engine::tls::readListenerCertificates(*profile.admin->tls, profile.baseDir, {}, &files, &error).isEmpty()) {
            report(profile.admin->pos, QStringLiteral("admin: tls: %1").arg(error));
        }
    }
    for (const profile::Upstream &upstream : profile.upstreams) {
        if (!upstream.tls || upstream.tls->ca.isEmpty()) {
            continue;
        }
        QString error;
        if (!engine::tls::ClientTlsContext::create({ QDir(profile.baseDir).absoluteFilePath(upstream.tls->ca), true }, &error)) {
            report(upstream.pos, QStringLiteral("upstream %1: tls: %2").arg(upstream.name, error));
        }
    }
    return problems;
}

} // namespace

int runCheck(const QStringList &args)
{
    if (args.size() != 1 || args.first().startsWith(QLatin1Char('-'))) {
        printError(QStringLiteral("usage: gatehouse check PROFILE"));
        return ExitInvalid;
    }
    const auto profile = loadProfileOrReport(args.first(), stdout);
    if (!profile) {
        return ExitInvalid;
    }
    const int problems = reportKeyProblems(args.first(), *profile) + reportTlsProblems(args.first(), *profile);
    if (problems > 0) {
        return ExitInvalid;
    }
    for (const QString &warning : engine::tls::insecureTlsWarnings(*profile)) {
        printError(QStringLiteral("warning: ") + warning);
    }
    std::puts("ok");
    return ExitOk;
}

} // namespace gatehouse::app
