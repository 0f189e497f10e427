#include <cstdio>

#include "app/Commands.h"
#include "app/ProfileLoading.h"
#include "engine/auth/JwtKeyLoader.h"

namespace gatehouse::app {

namespace {

// Beyond the file's own rules: do the JWT key files it points at load? `file:` keys and JWKS
// files travel with the profile, so a missing or broken one is the profile's problem. `env:` and
// `keychain:` references and JWKS URLs belong to where it runs; `serve` names them if they fail.
int reportKeyProblems(const QString &path, const profile::Profile &profile)
{
    int problems = 0;
    for (const profile::JwtProfile &jwt : profile.jwt) {
        const profile::SecretRef &key = jwt.secret.isSet() ? jwt.secret : jwt.publicKey;
        const bool fromFiles = key.isSet() ? key.kind == profile::SecretRef::Kind::File : !engine::hasRemoteJwks(jwt);
        if (!fromFiles) {
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
