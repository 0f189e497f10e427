#include <cstdio>

#include <QFile>

#include "app/Commands.h"
#include "app/KeychainSecretStore.h"
#include "engine/profile/Values.h"

namespace gatehouse::app {

namespace {

const QString kSecretUsage = QStringLiteral("usage: gatehouse secret set NAME   (the secret is read from stdin)\n"
                                      "       gatehouse secret delete NAME");

} // namespace

// `gatehouse secret set NAME` stores what stdin holds (one trailing newline dropped) as the
// keychain item that `keychain:NAME` in a profile refers to; the secret never appears in
// arguments, where other users could read it from the process list.
int runSecret(const QStringList &args)
{
    if (args.size() != 2 || (args.first() != u"set" && args.first() != u"delete")) {
        printError(kSecretUsage);
        return ExitInvalid;
    }
    const QString &name = args.at(1);
    if (!profile::parseSecretRef(QStringLiteral("keychain:") + name)) {
        printError(QStringLiteral("secret: '%1' is not a keychain item name").arg(name));
        return ExitInvalid;
    }
    KeychainSecretStore store;
    QString error;
    if (args.first() == u"delete") {
        if (!store.remove(name, &error)) {
            printError(QStringLiteral("secret: keychain:%1: %2").arg(name, error));
            return ExitRuntime;
        }
        return ExitOk;
    }
    QFile input;
    if (!input.open(stdin, QIODevice::ReadOnly)) {
        printError(QStringLiteral("secret: cannot read stdin"));
        return ExitRuntime;
    }
    QByteArray secret = input.read(1024 * 1024);
    if (secret.endsWith("\r\n")) {
        secret.chop(2);
    } else if (secret.endsWith('\n')) {
        secret.chop(1);
    }
    if (secret.isEmpty()) {
        printError(QStringLiteral("secret: nothing on stdin; pipe the secret in, e.g. gatehouse secret set %1 < file").arg(name));
        return ExitInvalid;
    }
    if (!store.write(name, secret, &error)) {
        printError(QStringLiteral("secret: keychain:%1: %2").arg(name, error));
        return ExitRuntime;
    }
    std::printf("stored keychain:%s\n", name.toLocal8Bit().constData());
    return ExitOk;
}

} // namespace gatehouse::app
