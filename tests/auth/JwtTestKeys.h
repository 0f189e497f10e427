#pragma once

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

// Keys made by the `openssl` command-line tool (an implementation independent of the code under
// test), written as PEM files into a temporary folder.
namespace gatehouse::test {

struct PemPair
{
    QByteArray privatePem;
    QByteArray publicPem;
    QString privatePath;
    QString publicPath;
};

// kind: "RSA", "P-256", "P-384" or "ED25519". Empty PEMs when openssl failed.
PemPair generateKeyPair(const QTemporaryDir &dir, const QString &kind);

// The signature of `input` made by `openssl` with that private key: RSA PKCS#1 v1.5 with
// SHA-256, ECDSA (DER, as openssl writes it) or Ed25519.
QByteArray opensslSign(const PemPair &keys, const QString &kind, const QByteArray &input);

} // namespace gatehouse::test
