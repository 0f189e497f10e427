#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "engine/tls/LocalCa.h"
#include "tests/support/TestSupport.h"

using gatehouse::engine::tls::LocalCa;

namespace {

constexpr int kTimeoutMs = 20000;
const QStringList kLeafHosts { QStringLiteral("localhost"), QStringLiteral("*.localhost"),
                               QStringLiteral("api.shop.test"), QStringLiteral("127.0.0.1"), QStringLiteral("::1") };

// Runs a program to completion; its exit code, or -1 when it crashed or did not finish in time.
int run(const QString &program, const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr,
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, args);
    process.closeWriteChannel();
    if (!process.waitForFinished(kTimeoutMs) || process.exitStatus() != QProcess::NormalExit) {
        return -1;
    }
    if (out) {
        *out = process.readAllStandardOutput();
    }
    if (err) {
        *err = process.readAllStandardError();
    }
    return process.exitCode();
}

// "x509 -noout -in" → { "x509", "-noout", "-in" }, so the command lines below stay readable.
QStringList words(const char *text)
{
    return QString::fromLatin1(text).split(QLatin1Char(' '));
}

// The openssl CLI is the independent judge of what LocalCa produces. Whitespace is collapsed so
// multi-line `-text` output can be matched as one line.
QByteArray openssl(const QStringList &args)
{
    QByteArray out;
    run(QStringLiteral("openssl"), args, &out);
    return out.simplified();
}

QByteArray opensslFingerprint(const QString &certPath)
{
    const QByteArray line = openssl(words("x509 -noout -fingerprint -sha256 -in") << certPath);
    return line.mid(line.indexOf('=') + 1); // "sha256 Fingerprint=AB:CD:..."
}

// 0 when the certificate is still valid `days` from now, 1 when it has expired by then.
int checkEnd(const QString &certPath, int days)
{
    return run(QStringLiteral("openssl"),
               words("x509 -noout -checkend") << QString::number(days * 86400) << QStringLiteral("-in") << certPath);
}

QProcessEnvironment withDataHome(const QString &dataHome)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), dataHome);
    return environment;
}

int runCa(const QStringList &args, const QString &dataHome, QByteArray *out, QByteArray *err = nullptr)
{
    return run(gatehouse::test::gatehouseBinary(), QStringList { QStringLiteral("ca") } + args, out, err,
               withDataHome(dataHome));
}

int mode(const QString &path)
{
    struct stat status = {};
    return ::stat(QFile::encodeName(path).constData(), &status) == 0 ? int(status.st_mode & 0777) : -1;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

// Every file in `folder` with its mode and bytes, to show that a failed open changed nothing.
QMap<QString, QByteArray> snapshot(const QString &folder)
{
    QMap<QString, QByteArray> files;
    const QDir dir(folder);
    for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden)) {
        files.insert(name, QByteArray::number(mode(dir.filePath(name)), 8) + ' ' + readFile(dir.filePath(name)));
    }
    return files;
}

bool waitForOutput(QProcess &process, const QByteArray &text)
{
    QByteArray seen;
    const QDeadlineTimer deadline(kTimeoutMs);
    while (!seen.contains(text) && process.waitForReadyRead(int(deadline.remainingTime()))) {
        seen += process.readAll();
    }
    return seen.contains(text);
}

} // namespace

class TestLocalCa final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void createdOnceWithPrivatePermissions();
    void caCertificateIsACa();
    void issuedLeafVerifies();
    void handshakeWithIssuedLeaf();
    void damagedCaIsAnErrorAndUntouched_data();
    void damagedCaIsAnErrorAndUntouched();
    void issueAccepts_data();
    void issueAccepts();
    void issueRefuses_data();
    void issueRefuses();
    void concurrentFirstUseInThreadsMakesOneCa();
    void concurrentFirstUseMakesOneCa();
    void commandShowsAndExports();
    void commandFailures_data();
    void commandFailures();

private:
    QTemporaryDir m_dir;
    std::optional<LocalCa> m_ca;
    QString m_leafPath;
    QString m_leafKeyPath;
};

void TestLocalCa::initTestCase()
{
    QVERIFY(!QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty());
    QVERIFY(m_dir.isValid());
    QString error;
    m_ca = LocalCa::openOrCreate(m_dir.filePath(QStringLiteral("ca")), &error);
    QVERIFY2(m_ca, qPrintable(error));
    const auto leaf = m_ca->issue(kLeafHosts, &error);
    QVERIFY2(!leaf.certPem.isEmpty(), qPrintable(error));
    QVERIFY(leaf.certPem.endsWith(m_ca->certificatePem())); // the chain: leaf, then the CA
    QVERIFY(leaf.keyPem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
    m_leafPath = m_dir.filePath(QStringLiteral("leaf.pem"));
    m_leafKeyPath = m_dir.filePath(QStringLiteral("leaf-key.pem"));
    QVERIFY(writeFile(m_leafPath, leaf.certPem));
    QVERIFY(writeFile(m_leafKeyPath, leaf.keyPem));
}

void TestLocalCa::createdOnceWithPrivatePermissions()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("not/yet/ca"));
    QString error;
    const auto first = LocalCa::openOrCreate(folder, &error);
    QVERIFY2(first, qPrintable(error));
    const auto second = LocalCa::openOrCreate(folder, &error);
    QVERIFY2(second, qPrintable(error));
    QCOMPARE(second->certificatePem(), first->certificatePem());
    QCOMPARE(first->certificatePath(), folder + QStringLiteral("/ca.pem"));
    QCOMPARE(readFile(first->certificatePath()), first->certificatePem());
    QCOMPARE(mode(folder), 0700);
    QCOMPARE(mode(folder + QStringLiteral("/ca-key.pem")), 0600);
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden),
             QStringList({ QStringLiteral("ca-key.pem"), QStringLiteral("ca.pem") })); // no lock left behind
}

void TestLocalCa::caCertificateIsACa()
{
    const QString caPath = m_ca->certificatePath();
    const QByteArray text = openssl(words("x509 -noout -text -in") << caPath);
    for (const char *expected :
         { "Signature Algorithm: ecdsa-with-SHA256", "ASN1 OID: prime256v1",
           "Subject: O = Gatehouse development CA, CN = Gatehouse development CA (",
           "X509v3 Basic Constraints: critical CA:TRUE, pathlen:0",
           "X509v3 Key Usage: critical Certificate Sign, CRL Sign", "X509v3 Subject Key Identifier:" }) {
        QVERIFY2(text.contains(expected), expected);
    }
    QCOMPARE(openssl(words("verify -CAfile") << caPath << caPath), caPath.toUtf8() + ": OK");
    // Ten years: still valid in nine and a half, expired in ten and a half.
    QCOMPARE(checkEnd(caPath, 3470), 0);
    QCOMPARE(checkEnd(caPath, 3840), 1);
}

void TestLocalCa::issuedLeafVerifies()
{
    QCOMPARE(openssl(words("verify -purpose sslserver -CAfile") << m_ca->certificatePath() << m_leafPath),
             m_leafPath.toUtf8() + ": OK");
    QCOMPARE(openssl(words("x509 -noout -ext subjectAltName -in") << m_leafPath),
             QByteArray("X509v3 Subject Alternative Name: DNS:localhost, DNS:*.localhost, DNS:api.shop.test, "
                        "IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"));
    const QByteArray text = openssl(words("x509 -noout -text -in") << m_leafPath);
    for (const char *expected :
         { "Signature Algorithm: ecdsa-with-SHA256", "ASN1 OID: prime256v1",
           "Subject: O = Gatehouse development certificate, CN = localhost",
           "X509v3 Basic Constraints: critical CA:FALSE", "X509v3 Key Usage: critical Digital Signature",
           "X509v3 Extended Key Usage: TLS Web Server Authentication", "X509v3 Subject Key Identifier:",
           "X509v3 Authority Key Identifier:" }) {
        QVERIFY2(text.contains(expected), expected);
    }
    const QByteArray keysPublicHalf = openssl(words("pkey -pubout -in") << m_leafKeyPath);
    QVERIFY(keysPublicHalf.startsWith("-----BEGIN PUBLIC KEY-----"));
    QCOMPARE(openssl(words("x509 -noout -pubkey -in") << m_leafPath), keysPublicHalf);
    // 397 days, the most browsers accept.
    QCOMPARE(checkEnd(m_leafPath, 396), 0);
    QCOMPARE(checkEnd(m_leafPath, 398), 1);
}

void TestLocalCa::handshakeWithIssuedLeaf()
{
    // s_server cannot report a port it picked itself, so take a free one and hand it over.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(probe.serverPort());
    probe.close();

    // Both processes are killed by ~QProcess should a check fail first.
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(QStringLiteral("openssl"), words("s_server -www -naccept 1 -accept") << address
                                                << QStringLiteral("-cert") << m_leafPath
                                                << QStringLiteral("-key") << m_leafKeyPath);
    QVERIFY(waitForOutput(server, "ACCEPT"));

    QProcess client;
    client.setProcessChannelMode(QProcess::MergedChannels);
    client.start(QStringLiteral("openssl"),
                 words("s_client -servername localhost -verify_hostname localhost -verify_return_error -connect")
                     << address << QStringLiteral("-CAfile") << m_ca->certificatePath());
    client.closeWriteChannel(); // s_client quits at the end of its input, after the handshake
    QVERIFY(client.waitForFinished(kTimeoutMs));
    const QByteArray output = client.readAll();
    QVERIFY2(output.contains("Verify return code: 0 (ok)"), output.constData());
    QVERIFY(server.waitForFinished(kTimeoutMs)); // -naccept 1: done after this client
}

void TestLocalCa::damagedCaIsAnErrorAndUntouched_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("corrupt key") << "corrupt" << "ca-key.pem" << "not a PEM private key";
    QTest::newRow("corrupt certificate") << "corrupt" << "ca.pem" << "not a PEM CA certificate";
    QTest::newRow("key of another CA") << "other key" << "ca-key.pem" << "not the key of";
    QTest::newRow("key readable by others") << "chmod 644" << "ca-key.pem" << "accessible by other users";
    QTest::newRow("only the certificate") << "remove" << "ca-key.pem" << "No such file";
    QTest::newRow("only the key") << "remove" << "ca.pem" << "No such file";
}

void TestLocalCa::damagedCaIsAnErrorAndUntouched()
{
    QFETCH(QString, damage);
    QFETCH(QString, file);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("ca"));
    const QString path = folder + QLatin1Char('/') + file;
    QString error;
    QVERIFY2(LocalCa::openOrCreate(folder, &error), qPrintable(error));
    if (damage == u"corrupt") {
        QVERIFY(writeFile(path, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"));
    } else if (damage == u"other key") {
        const QString otherFolder = dir.filePath(QStringLiteral("other"));
        QVERIFY2(LocalCa::openOrCreate(otherFolder, &error), qPrintable(error));
        QVERIFY(writeFile(path, readFile(otherFolder + QStringLiteral("/ca-key.pem"))));
    } else if (damage == u"chmod 644") {
        QVERIFY(QFile::setPermissions(path, QFile::permissions(path) | QFile::ReadGroup | QFile::ReadOther));
    } else {
        QVERIFY(QFile::remove(path));
    }
    const auto before = snapshot(folder);

    QVERIFY(!LocalCa::openOrCreate(folder, &error));
    QVERIFY2(error.startsWith(path + QStringLiteral(": ") + message), qPrintable(error));
    QCOMPARE(snapshot(folder), before);
}

void TestLocalCa::issueAccepts_data()
{
    QTest::addColumn<QString>("host");
    for (const QString &host : words("localhost *.localhost API.Shop.test xn--bcher-kva.test a1-b2.c3 10.0.0.255 ::1 "
                                     "0:0:0:0:0:0:0:1 fd00::beef ::ffff:127.0.0.1")) {
        QTest::newRow(qPrintable(host)) << host;
    }
    // Longer than a common name may be (64): the name is cut there, the SAN keeps it whole.
    const QString label(63, u'a');
    QTest::newRow("253 characters") << QStringList(4, label).join(QLatin1Char('.')).left(253);
}

void TestLocalCa::issueAccepts()
{
    QFETCH(QString, host);
    QString error;
    const auto leaf = m_ca->issue({ host }, &error);
    QVERIFY2(!leaf.certPem.isEmpty() && !leaf.keyPem.isEmpty(), qPrintable(error));
}

void TestLocalCa::issueRefuses_data()
{
    QTest::addColumn<QStringList>("hosts");
    const QString label(63, u'a');
    QTest::newRow("no hosts") << QStringList();
    QTest::newRow("empty name") << QStringList { QString() };
    QTest::newRow("space and bang") << QStringList { QStringLiteral("bad host!") };
    QTest::newRow("slash") << words("a/b");
    QTest::newRow("one bad among good") << words("localhost a,DNS:evil.test");
    QTest::newRow("bare wildcard") << words("*");
    QTest::newRow("inner wildcard") << words("a.*.test");
    QTest::newRow("trailing dot") << words("localhost.");
    QTest::newRow("empty label") << words("a..test");
    QTest::newRow("leading hyphen") << words("-a.test");
    QTest::newRow("label of 64") << QStringList { label + QStringLiteral("a.test") };
    QTest::newRow("254 characters") << QStringList { QStringList(4, label).join(QLatin1Char('.')).left(254) };
    QTest::newRow("short IPv4") << words("127.1");
    QTest::newRow("number") << words("1234");
    QTest::newRow("IPv4 with space") << QStringList { QStringLiteral(" 127.0.0.1") };
    QTest::newRow("IPv6 scope") << words("fe80::1%eth0");
}

void TestLocalCa::issueRefuses()
{
    QFETCH(QStringList, hosts);
    QString error;
    const auto leaf = m_ca->issue(hosts, &error);
    QVERIFY(leaf.certPem.isEmpty());
    QVERIFY(leaf.keyPem.isEmpty());
    QVERIFY(!error.isEmpty());
    if (!hosts.isEmpty()) {
        QVERIFY2(error.contains(QLatin1Char('\'') + hosts.last() + QLatin1Char('\'')), qPrintable(error));
    }
}

void TestLocalCa::concurrentFirstUseInThreadsMakesOneCa()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("ca"));
    QByteArray pems[2];
    QString errors[2];
    std::thread threads[2];
    for (int i = 0; i < 2; ++i) {
        threads[i] = std::thread([&, i] {
            const auto ca = LocalCa::openOrCreate(folder, &errors[i]);
            pems[i] = ca ? ca->certificatePem() : QByteArray();
        });
    }
    for (std::thread &thread : threads) {
        thread.join();
    }
    QVERIFY2(!pems[0].isEmpty() && !pems[1].isEmpty(), qPrintable(errors[0] + errors[1]));
    QCOMPARE(pems[1], pems[0]);
}

void TestLocalCa::concurrentFirstUseMakesOneCa()
{
    QTemporaryDir dataHome;
    std::vector<std::unique_ptr<QProcess>> runs;
    for (int i = 0; i < 4; ++i) {
        runs.push_back(std::make_unique<QProcess>());
        runs.back()->setProcessEnvironment(withDataHome(dataHome.path()));
        runs.back()->start(gatehouse::test::gatehouseBinary(), { QStringLiteral("ca") });
    }
    QSet<QByteArray> fingerprintLines;
    for (const auto &process : runs) {
        QVERIFY(process->waitForFinished(kTimeoutMs));
        QCOMPARE(process->exitCode(), 0);
        const QByteArray out = process->readAllStandardOutput();
        fingerprintLines.insert(out.mid(out.indexOf("SHA-256 fingerprint:")));
    }
    const QString folder = dataHome.path() + QStringLiteral("/gatehouse/ca");
    const QByteArray expected = "SHA-256 fingerprint: " + opensslFingerprint(folder + QStringLiteral("/ca.pem")) + '\n';
    QCOMPARE(fingerprintLines, QSet<QByteArray>({ expected }));
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden),
             QStringList({ QStringLiteral("ca-key.pem"), QStringLiteral("ca.pem") }));
}

void TestLocalCa::commandShowsAndExports()
{
    QTemporaryDir dataHome;
    const QString folder = dataHome.path() + QStringLiteral("/gatehouse/ca");
    const QString caPath = folder + QStringLiteral("/ca.pem");
    QByteArray out;
    QCOMPARE(runCa({}, dataHome.path(), &out), 0);
    const QByteArray fingerprintLine = "SHA-256 fingerprint: " + opensslFingerprint(caPath) + '\n';
    QCOMPARE(out, "CA folder: " + folder.toUtf8() + "\ncertificate: " + caPath.toUtf8() + '\n' + fingerprintLine);

    const QString exported = dataHome.filePath(QStringLiteral("exported.pem"));
    QCOMPARE(runCa({ QStringLiteral("--export"), exported }, dataHome.path(), &out), 0);
    QCOMPARE(readFile(exported), readFile(caPath));
    QCOMPARE(out, "exported " + caPath.toUtf8() + " to " + exported.toUtf8() + '\n' + fingerprintLine);

    QCOMPARE(runCa({ QStringLiteral("--export"), QStringLiteral("-") }, dataHome.path(), &out), 0);
    QCOMPARE(out, readFile(caPath));
}

void TestLocalCa::commandFailures_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("named");
    // DATA stands for the test's data home.
    QTest::newRow("unknown option") << words("--bogus") << 1 << "--bogus";
    QTest::newRow("export without file") << words("--export") << 1 << "--export";
    QTest::newRow("two files") << words("--export a b") << 1 << "usage";
    QTest::newRow("missing directory") << words("--export DATA/missing/ca.pem") << 2 << "DATA/missing/ca.pem";
}

void TestLocalCa::commandFailures()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, named);
    QTemporaryDir dataHome;
    args.replaceInStrings(QStringLiteral("DATA"), dataHome.path());
    QByteArray out;
    QByteArray err;
    QCOMPARE(runCa(args, dataHome.path(), &out, &err), exitCode);
    QCOMPARE(out, QByteArray());
    QVERIFY2(QString::fromUtf8(err).contains(named.replace(QStringLiteral("DATA"), dataHome.path())), err.constData());
    // Bad usage is refused before the CA is made.
    QCOMPARE(QFileInfo::exists(dataHome.path() + QStringLiteral("/gatehouse")), exitCode == 2);
}

QTEST_GUILESS_MAIN(TestLocalCa)
#include "TestLocalCa.moc"
