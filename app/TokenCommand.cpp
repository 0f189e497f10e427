#include <cstdio>

#include <QDateTime>
#include <QJsonObject>

#include "app/Commands.h"
#include "app/KeychainSecretStore.h"
#include "app/ProfileLoading.h"
#include "engine/auth/JwtKeyLoader.h"
#include "engine/auth/JwtMinter.h"
#include "engine/auth/TestTokenClaims.h"
#include "engine/profile/Units.h"

namespace gatehouse::app {

namespace {

const QString kTokenUsage = QStringLiteral("usage: gatehouse token PROFILE --jwt NAME [--claim k=v]... [--ttl 30m] [--alg ALG]");

} // namespace

int runToken(const QStringList &args)
{
    QString path;
    QString jwtName;
    QString algorithmName;
    std::chrono::milliseconds ttl = std::chrono::hours(1);
    QJsonObject claims;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        const bool hasValue = i + 1 < args.size();
        if (arg == u"--jwt" && hasValue) {
            jwtName = args.at(++i);
        } else if (arg == u"--alg" && hasValue) {
            algorithmName = args.at(++i);
        } else if (arg == u"--ttl" && hasValue) {
            QString error;
            const auto parsed = profile::parseDuration(args.at(++i), &error);
            if (!parsed || parsed->count() <= 0) {
                printError(QStringLiteral("token: --ttl %1: %2").arg(args.at(i), parsed ? QStringLiteral("must be positive") : error));
                return ExitInvalid;
            }
            ttl = *parsed;
        } else if (arg == u"--claim" && hasValue) {
            const QString pair = args.at(++i);
            const qsizetype equals = pair.indexOf(QLatin1Char('='));
            if (equals <= 0) {
                printError(QStringLiteral("token: --claim wants NAME=VALUE, got '%1'").arg(pair));
                return ExitInvalid;
            }
            claims.insert(pair.first(equals), engine::claimValueFromText(pair.mid(equals + 1)));
        } else if (!arg.startsWith(QLatin1Char('-')) && path.isEmpty()) {
            path = arg;
        } else {
            printError(QStringLiteral("token: unexpected argument %1\n%2").arg(arg, kTokenUsage));
            return ExitInvalid;
        }
    }
    if (path.isEmpty() || jwtName.isEmpty()) {
        printError(kTokenUsage);
        return ExitInvalid;
    }
    const auto loaded = loadProfileOrReport(path, stderr);
    if (!loaded) {
        return ExitInvalid;
    }
    const auto jwt = std::find_if(loaded->jwt.cbegin(), loaded->jwt.cend(),
                                  [&jwtName](const profile::JwtProfile &candidate) { return candidate.name == jwtName; });
    if (jwt == loaded->jwt.cend()) {
        printError(QStringLiteral("token: %1 has no JWT profile named '%2'").arg(path, jwtName));
        return ExitInvalid;
    }
    if (algorithmName.isEmpty()) {
        algorithmName = jwt->algorithms.value(0);
    }
    const auto algorithm = engine::jwtAlgorithmFromName(algorithmName.toLatin1());
    if (!algorithm || !jwt->algorithms.contains(algorithmName)) {
        printError(QStringLiteral("token: JWT profile '%1' does not accept %2; it accepts %3")
                       .arg(jwtName, algorithmName, jwt->algorithms.join(QStringLiteral(", "))));
        return ExitInvalid;
    }
    QString error;
    KeychainSecretStore keychain;
    const auto key = engine::loadSigningKey(*jwt, loaded->baseDir, &keychain, &error);
    if (!key) {
        printError(QStringLiteral("token: %1").arg(error));
        return ExitRuntime;
    }

    const QJsonObject payload = engine::testTokenClaims(*jwt, claims, std::chrono::duration_cast<std::chrono::seconds>(ttl),
                                                        QDateTime::currentSecsSinceEpoch());
    const auto token = engine::mintJwt(*key, *algorithm, payload);
    if (!token) {
        printError(QStringLiteral("token: the key of JWT profile '%1' cannot sign %2").arg(jwtName, algorithmName));
        return ExitRuntime;
    }
    std::printf("%s\n", token->constData());
    return ExitOk;
}

} // namespace gatehouse::app
