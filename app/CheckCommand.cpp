#include <cstdio>

#include "app/Commands.h"
#include "app/ProfileLoading.h"
#include "engine/auth/JwtKeyLoader.h"

namespace gatehouse::app {

namespace {

// Beyond the file's own rules: do the JWT keys it points at load? Keychain references and JWKS
// URLs are left to `serve`, which has the keychain and the network.
int reportKeyProblems(const QString &path, const profile::Profile &profile)
{
    int problems = 0;
    for (const profile::JwtProfile &jwt : profile.jwt) {
        const bool inKeychain = jwt.secret.kind == profile::SecretRef::Kind::Keychain
            || jwt.publicKey.kind == profile::SecretRef::Kind::Keychain;
        if (inKeychain || engine::hasRemoteJwks(jwt)) {
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

} // namespace

int runCheck(const QStringList &args)
{
    if (args.size() != 1 || args.first().startsWith(QLatin1Char('-'))) {
        printError(QStringLiteral("usage: gatehouse check PROFILE"));
        return ExitInvalid;
    }
    const auto profile = loadProfileOrReport(args.first(), stdout);
    if (!profile || reportKeyProblems(args.first(), *profile) > 0) {
        return ExitInvalid;
    }
    std::puts("ok");
    return ExitOk;
}

} // namespace gatehouse::app
