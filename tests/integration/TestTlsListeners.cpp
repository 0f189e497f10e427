// HTTPS listeners through the real `gatehouse serve` (docs/tls.md): the local development CA
// (`auto`, `gatehouse ca --export`), certificates chosen by SNI, the TLS 1.2 floor and ALPN, a
// stalled handshake under `limits.header_timeout`, certificate files renewed on disk while a
// connection stays open, `redirect_https`, and the profile and file errors. The clients are curl,
// `openssl s_client` and QSslSocket; the certificates come from the openssl tool.

#include <cstdio>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/integration/TlsTestCertificates.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

QProcessEnvironment withDataHome(const QString &folder)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), folder);
    return environment;
}

// `gatehouse ARGS` in `environment`; the exit code, or -1 on a timeout or crash.
int runGatehouse(const QStringList &args, const QProcessEnvironment &environment, QByteArray *out, QByteArray *err)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(gatehouseBinary(), args);
    if (!process.waitForStarted(5000) || !process.waitForFinished(15000)) {
        process.kill();
        process.waitForFinished(2000);
        return -1;
    }
    *out = process.readAllStandardOutput();
    *err = process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

// curl's `--resolve NAME:PORT:127.0.0.1`, so every name reaches the loopback listener over IPv4.
QStringList resolve(const QString &name, quint16 port)
{
    return { QStringLiteral("--resolve"), QStringLiteral("%1:%2:127.0.0.1").arg(name).arg(port) };
}

// GET https://NAME:PORT/ with curl trusting only `caFile`: the HTTP status (0 when the TLS
// connection failed) and, in `verbose`, what curl -v said.
int httpsStatus(const QString &caFile, const QString &name, quint16 port, QByteArray *verbose = nullptr,
                QByteArray *body = nullptr)
{
    QByteArray out;
    QByteArray err;
    curl(QStringList { QStringLiteral("-v"), QStringLiteral("--cacert"), caFile } + resolve(name, port)
             + QStringList { QStringLiteral("-w"), QStringLiteral("\n%{http_code}"),
                             QStringLiteral("https://%1:%2/").arg(name).arg(port) },
         &out, &err);
    if (verbose) {
        *verbose = err;
    }
    const qsizetype cut = out.lastIndexOf('\n');
    if (body) {
        *body = out.left(qMax<qsizetype>(cut, 0));
    }
    return out.mid(cut + 1).toInt();
}

// Reads one response from a TLS connection; nullopt on timeout or close.
std::optional<HttpResponse> readTlsResponse(QSslSocket &socket, QByteArray &buffer, int timeoutMs = 5000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (true) {
        HttpResponse response;
        const qsizetype size = completeResponse(buffer, false, &response);
        if (size > 0) {
            buffer.remove(0, size);
            return response;
        }
        if (deadline.hasExpired() || socket.state() != QAbstractSocket::ConnectedState) {
            return std::nullopt;
        }
        if (socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
            buffer += socket.readAll();
        }
    }
}

// A TLS connection to 127.0.0.1:PORT that trusts only `caFile` and verifies `peerName`.
bool openTls(QSslSocket &socket, const QString &caFile, quint16 port, const QString &peerName = QStringLiteral("localhost"))
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromPath(caFile));
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    socket.setSslConfiguration(configuration);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, peerName);
    if (!socket.waitForEncrypted(5000)) {
        qWarning("TLS connection failed: %s", qPrintable(socket.errorString()));
        return false;
    }
    return true;
}

// Waits until the peer closes `socket`; the milliseconds since `clock` started, or -1 when it
// stays open past `timeoutMs`.
qint64 closedAfter(QTcpSocket &socket, const QElapsedTimer &clock, int timeoutMs)
{
    while (clock.elapsed() < timeoutMs) {
        if (socket.state() != QAbstractSocket::ConnectedState) {
            return clock.elapsed();
        }
        if (socket.waitForReadyRead(20)) {
            socket.readAll();
        }
    }
    return socket.state() != QAbstractSocket::ConnectedState ? clock.elapsed() : -1;
}

// rename(2) over the live file, as certificate renewal tools do (never a half-written file).
bool replaceFile(const QString &from, const QString &to)
{
    return std::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0;
}

bool copyFile(const QString &from, const QString &to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

} // namespace

class TestTlsListeners : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void autoCertificateFromLocalCa();
    void sniChoosesCertificate();
    void firstCertificateIsDefaultWithoutCert();
    void intermediateCertificatesAreSent();
    void protocolFloorAndAlpn();
    void largeBodiesBothWays();
    void stalledHandshakeIsDropped();
    void pipelinedRequestsAndAbortedDownload();
    void forwardedProtoCannotBeSpoofed();
    void certificateFilesReloadForNewConnections();
    void redirectHttps();
    void sighupSwapsCertificate();
    void autoCertificateKeptAcrossReloads();
    void checkRejectsBadTls_data();
    void checkRejectsBadTls();
    void serveRejectsBadCertificateFiles_data();
    void serveRejectsBadCertificateFiles();
    void portZeroListenersOnOneHost();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QByteArray upstreamAndRoutes(const QByteArray &extraRoutes = {}) const;
    bool startGateway(GatehouseProcess &gateway, const QString &name, const QByteArray &listen,
                      const QByteArray &rest, int listeners = 1);

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
};

void TestTlsListeners::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Every gateway started here keeps away from the developer's own local CA.
    QVERIFY(QDir().mkpath(path(QStringLiteral("xdg-unused"))));
    qputenv("XDG_DATA_HOME", QFile::encodeName(path(QStringLiteral("xdg-unused"))));
    QVERIFY2(m_echo.startEcho(QStringLiteral("echo")), m_echo.stderrText().constData());
    QVERIFY(makeTestCa(m_dir.path(), QStringLiteral("ca"), QStringLiteral("Gatehouse Test CA")));
    QVERIFY(makeTestLeaf(m_dir.path(), QStringLiteral("default"), QStringLiteral("ca"), QStringLiteral("default.test"),
                         { QStringLiteral("DNS:localhost"), QStringLiteral("IP:127.0.0.1") }));
    QVERIFY(makeTestLeaf(m_dir.path(), QStringLiteral("a"), QStringLiteral("ca"), QStringLiteral("a.test"),
                         { QStringLiteral("DNS:a.test") }));
    QVERIFY(makeTestLeaf(m_dir.path(), QStringLiteral("b"), QStringLiteral("ca"), QStringLiteral("*.b.test"),
                         { QStringLiteral("DNS:*.b.test") }));
}

void TestTlsListeners::cleanupTestCase()
{
    m_echo.terminate();
}

QByteArray TestTlsListeners::upstreamAndRoutes(const QByteArray &extraRoutes) const
{
    return "upstreams:\n  - name: echo\n    targets: [{ url: \"http://127.0.0.1:" + portOf(m_echo)
        + "\" }]\nroutes:\n" + extraRoutes + "  - { name: all, match: { path: / }, upstream: echo }\n";
}

// `gatehouse serve` on the profile "name" + ".yaml" in the test folder, so relative certificate
// paths name the files made in initTestCase().
bool TestTlsListeners::startGateway(GatehouseProcess &gateway, const QString &name, const QByteArray &listen,
                                    const QByteArray &rest, int listeners)
{
    const QString profile = writeFile(m_dir, name + QStringLiteral(".yaml"),
                                      "gatehouse: 1\nname: " + name.toUtf8() + "\nlisten:\n" + listen + rest);
    if (!gateway.startServe(profile, { QStringLiteral("--quiet") }, listeners)) {
        qWarning("gateway %s did not start: %s", qPrintable(name), gateway.stderrText().constData());
        return false;
    }
    return true;
}

void TestTlsListeners::autoCertificateFromLocalCa()
{
    const QString dataHome = path(QStringLiteral("xdg"));
    QVERIFY(QDir().mkpath(dataHome));
    const QProcessEnvironment environment = withDataHome(dataHome);

    GatehouseProcess gateway;
    gateway.process().setProcessEnvironment(environment);
    QVERIFY(startGateway(gateway, QStringLiteral("auto"), "  - bind: 127.0.0.1:0\n    tls: { auto: true }\n",
                         upstreamAndRoutes("  - { name: api, match: { hosts: [api.localhost], path: / }, upstream: echo }\n"
                                           "  - { name: shop, match: { hosts: [\"*.shop.localhost\", 192.0.2.7], path: / }, upstream: echo }\n")));
    QVERIFY(QFile::exists(dataHome + QStringLiteral("/gatehouse/ca/ca.pem")));
    QVERIFY(QFile::exists(dataHome + QStringLiteral("/gatehouse/ca/ca-key.pem")));
    const quint16 port = gateway.port();

    const QString caFile = path(QStringLiteral("local-ca.pem"));
    QByteArray out;
    QByteArray err;
    QCOMPARE(runGatehouse({ QStringLiteral("ca"), QStringLiteral("--export"), caFile }, environment, &out, &err), 0);
    QFile exported(caFile);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    const QByteArray caPem = exported.readAll();
    QVERIFY2(caPem.startsWith("-----BEGIN CERTIFICATE-----"), caPem.constData());

    // A client that trusts only the exported CA: TLS 1.3, and the upstream learns it was HTTPS.
    QByteArray verbose;
    QByteArray body;
    QCOMPARE(httpsStatus(caFile, QStringLiteral("localhost"), port, &verbose, &body), 200);
    QVERIFY2(verbose.contains("SSL connection using TLSv1.3"), verbose.constData());
    QVERIFY2(verbose.contains("ALPN: server accepted http/1.1"), verbose.constData());
    QCOMPARE(seenHeader(body, "x-forwarded-proto"), QStringLiteral("https"));
    QCOMPARE(field(body, "name"), QStringLiteral("echo"));
    // The other names in every auto certificate, and a route's host.
    QCOMPARE(httpsStatus(caFile, QStringLiteral("127.0.0.1"), port), 200);
    QCOMPARE(httpsStatus(caFile, QStringLiteral("api.localhost"), port, &verbose), 200);

    // The certificate also carries *.localhost, but OpenSSL (curl) accepts no wildcard directly
    // under a single label (docs/tls.md): an unnamed x.localhost does not verify.
    const QSslCertificate leaf = servedCertificate(port, QStringLiteral("x.localhost"));
    QVERIFY(!leaf.isNull());
    const QStringList names = leaf.subjectAlternativeNames().values(QSsl::DnsEntry);
    QVERIFY2(names.contains(QStringLiteral("*.localhost")) && names.contains(QStringLiteral("localhost"))
                 && names.contains(QStringLiteral("api.localhost")),
             qPrintable(names.join(u' ')));
    QVERIFY(names.contains(QStringLiteral("*.shop.localhost")));
    const QStringList addresses = leaf.subjectAlternativeNames().values(QSsl::IpAddressEntry);
    QVERIFY2(addresses.contains(QStringLiteral("127.0.0.1")) && addresses.contains(QStringLiteral("192.0.2.7"))
                 && !names.contains(QStringLiteral("192.0.2.7")),
             qPrintable(addresses.join(u' ')));
    QCOMPARE(httpsStatus(caFile, QStringLiteral("x.shop.localhost"), port), 200); // two labels under the wildcard
    QCOMPARE(leaf.issuerDisplayName(), QSslCertificate::fromData(caPem).value(0).subjectDisplayName());
    QCOMPARE(httpsStatus(caFile, QStringLiteral("x.localhost"), port, &verbose), 0);
    QVERIFY2(verbose.contains("x.localhost"), verbose.constData());
    QCOMPARE(gateway.terminate(), 0);

    // A second gateway on the same data folder uses the same CA; its fresh leaf verifies with the
    // CA exported before.
    GatehouseProcess again;
    again.process().setProcessEnvironment(environment);
    QVERIFY(startGateway(again, QStringLiteral("auto"), "  - bind: 127.0.0.1:0\n    tls: { auto: true }\n",
                         upstreamAndRoutes()));
    const QString secondCaFile = path(QStringLiteral("local-ca-again.pem"));
    QCOMPARE(runGatehouse({ QStringLiteral("ca"), QStringLiteral("--export"), secondCaFile }, environment, &out, &err), 0);
    QFile second(secondCaFile);
    QVERIFY(second.open(QIODevice::ReadOnly));
    QCOMPARE(second.readAll(), caPem);
    QCOMPARE(httpsStatus(caFile, QStringLiteral("localhost"), again.port()), 200);
    QVERIFY(servedCertificate(again.port(), QStringLiteral("localhost")) != leaf); // issued anew
    QCOMPARE(again.terminate(), 0);
}

void TestTlsListeners::sniChoosesCertificate()
{
    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("sni"),
                         "  - bind: 127.0.0.1:0\n"
                         "    tls:\n"
                         "      cert: default.pem\n"
                         "      key: default-key.pem\n"
                         "      certificates:\n"
                         "        - { hosts: [a.test], cert: a.pem, key: a-key.pem }\n"
                         "        - { hosts: [\"*.b.test\"], cert: b.pem, key: b-key.pem }\n",
                         upstreamAndRoutes()));
    const quint16 port = gateway.port();
    const struct
    {
        const char *serverName;
        const char *commonName;
    } cases[] = {
        { "a.test", "a.test" },
        { "A.Test", "a.test" }, // names are case-insensitive
        { "x.b.test", "*.b.test" },
        { "y.x.b.test", "default.test" }, // a wildcard covers one label
        { "b.test", "default.test" },
        { "nope.test", "default.test" },
        { "localhost", "default.test" },
        { "", "default.test" }, // no SNI at all
    };
    for (const auto &c : cases) {
        QByteArray output;
        const QSslCertificate served = servedCertificate(port, QString::fromLatin1(c.serverName), &output);
        QVERIFY2(!served.isNull(), output.constData());
        QVERIFY2(commonNameOf(served) == QLatin1String(c.commonName),
                 qPrintable(QStringLiteral("SNI '%1' got %2").arg(QLatin1String(c.serverName), commonNameOf(served))));
    }
    // A wildcard entry is also chosen for an upper-case name.
    {
        QByteArray output;
        const QSslCertificate served = servedCertificate(port, QStringLiteral("X.B.TEST"), &output);
        QCOMPARE(commonNameOf(served), QStringLiteral("*.b.test"));
    }

    // curl verifies each name against the test CA.
    const QString caFile = path(QStringLiteral("ca.pem"));
    for (const char *name : { "a.test", "x.b.test", "localhost" }) {
        QByteArray body;
        QByteArray verbose;
        QVERIFY2(httpsStatus(caFile, QString::fromLatin1(name), port, &verbose, &body) == 200, verbose.constData());
        QCOMPARE(seenHeader(body, "x-forwarded-proto"), QStringLiteral("https"));
    }
    QCOMPARE(httpsStatus(caFile, QStringLiteral("nope.test"), port), 0); // the default names localhost only
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::firstCertificateIsDefaultWithoutCert()
{
    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("sni-first"),
                         "  - bind: 127.0.0.1:0\n"
                         "    tls:\n"
                         "      certificates:\n"
                         "        - { hosts: [\"*.b.test\"], cert: b.pem, key: b-key.pem }\n"
                         "        - { hosts: [a.test], cert: a.pem, key: a-key.pem }\n",
                         upstreamAndRoutes()));
    QCOMPARE(commonNameOf(servedCertificate(gateway.port(), QString())), QStringLiteral("*.b.test"));
    QCOMPARE(commonNameOf(servedCertificate(gateway.port(), QStringLiteral("other.test"))), QStringLiteral("*.b.test"));
    QCOMPARE(commonNameOf(servedCertificate(gateway.port(), QStringLiteral("a.test"))), QStringLiteral("a.test"));
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::intermediateCertificatesAreSent()
{
    const QString dir = m_dir.path();
    QVERIFY(makeTestIntermediate(dir, QStringLiteral("inter"), QStringLiteral("ca"), QStringLiteral("Test Intermediate")));
    QVERIFY(makeTestLeaf(dir, QStringLiteral("chained"), QStringLiteral("inter"), QStringLiteral("chained.test"),
                         { QStringLiteral("DNS:localhost"), QStringLiteral("DNS:a.test") }));
    QVERIFY(concatenateFiles(dir, QStringLiteral("chained-chain.pem"), { QStringLiteral("chained.pem"), QStringLiteral("inter.pem") }));
    GatehouseProcess gateway;
    // The chain file as the default certificate and as an SNI entry; the bare leaf on another port.
    QVERIFY(startGateway(gateway, QStringLiteral("chain"),
                         "  - bind: 127.0.0.1:0\n"
                         "    tls:\n"
                         "      cert: chained-chain.pem\n"
                         "      key: chained-key.pem\n"
                         "      certificates:\n"
                         "        - { hosts: [a.test], cert: chained-chain.pem, key: chained-key.pem }\n"
                         "  - bind: localhost:0\n    tls: { cert: chained.pem, key: chained-key.pem }\n",
                         upstreamAndRoutes(), 2));
    const QString caFile = path(QStringLiteral("ca.pem")); // the root only
    for (const char *name : { "localhost", "a.test" }) {
        QByteArray output;
        const QSslCertificate served = servedCertificate(gateway.port(0), QString::fromLatin1(name), &output);
        QCOMPARE(commonNameOf(served), QStringLiteral("chained.test"));
        QByteArray out;
        QByteArray err;
        QCOMPARE(openssl({ QStringLiteral("s_client"), QStringLiteral("-connect"), QStringLiteral("127.0.0.1:%1").arg(gateway.port(0)),
                           QStringLiteral("-servername"), QString::fromLatin1(name), QStringLiteral("-showcerts") },
                         &out, &err),
                 0);
        QCOMPARE(out.count("-----BEGIN CERTIFICATE-----"), qsizetype(2));
        QByteArray verbose;
        QVERIFY2(httpsStatus(caFile, QString::fromLatin1(name), gateway.port(0), &verbose) == 200, verbose.constData());
    }
    // Without the intermediate, a client that has only the root cannot build the chain.
    QCOMPARE(httpsStatus(caFile, QStringLiteral("localhost"), gateway.port(1)), 0);
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::protocolFloorAndAlpn()
{
    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("floor"),
                         "  - bind: 127.0.0.1:0\n    tls: { cert: default.pem, key: default-key.pem }\n",
                         upstreamAndRoutes()));
    const QString target = QStringLiteral("127.0.0.1:%1").arg(gateway.port());
    // SECLEVEL=0 lets the client offer TLS 1.0/1.1 at all: the refusal must come from the gateway.
    for (const char *old : { "-tls1_1", "-tls1" }) {
        QByteArray out;
        QByteArray err;
        const int code = openssl({ QStringLiteral("s_client"), QStringLiteral("-connect"), target,
                                   QString::fromLatin1(old), QStringLiteral("-cipher"), QStringLiteral("DEFAULT@SECLEVEL=0") },
                                 &out, &err);
        QVERIFY2(code != 0, out.constData());
        QVERIFY2(err.contains("alert protocol version"), err.constData()); // the gateway's protocol_version alert
        QVERIFY2(!out.contains("BEGIN CERTIFICATE"), out.constData());
    }
    QByteArray out;
    QByteArray err;
    QVERIFY(curl({ QStringLiteral("-S"), QStringLiteral("-k"), QStringLiteral("--tlsv1.0"), QStringLiteral("--tls-max"),
                   QStringLiteral("1.1"), QStringLiteral("--ciphers"), QStringLiteral("DEFAULT@SECLEVEL=0"),
                   QStringLiteral("https://") + target + QStringLiteral("/") },
                 &out, &err)
            != 0);
    QVERIFY2(err.contains("protocol version"), err.constData());

    // TLS 1.2 with an ECDHE AEAD suite, and 1.3.
    QCOMPARE(openssl({ QStringLiteral("s_client"), QStringLiteral("-connect"), target, QStringLiteral("-tls1_2") }, &out, &err), 0);
    QVERIFY2(out.contains("Protocol  : TLSv1.2") || out.contains("New, TLSv1.2"), out.constData());
    QVERIFY2(QRegularExpression(QStringLiteral("Cipher is ECDHE-ECDSA-(AES\\d+-GCM-SHA\\d+|CHACHA20-POLY1305)"))
                 .match(QString::fromLatin1(out))
                 .hasMatch(),
             out.constData());
    QCOMPARE(openssl({ QStringLiteral("s_client"), QStringLiteral("-connect"), target, QStringLiteral("-tls1_3") }, &out, &err), 0);
    QVERIFY2(out.contains("New, TLSv1.3"), out.constData());
    // A TLS 1.2 suite without forward secrecy is not offered.
    QVERIFY(openssl({ QStringLiteral("s_client"), QStringLiteral("-connect"), target, QStringLiteral("-tls1_2"),
                      QStringLiteral("-cipher"), QStringLiteral("AES128-SHA256") },
                    &out, &err)
            != 0);

    // ALPN: http/1.1 when offered; a client offering only h2 still connects, without ALPN.
    QCOMPARE(openssl({ QStringLiteral("s_client"), QStringLiteral("-connect"), target, QStringLiteral("-alpn"),
                       QStringLiteral("h2,http/1.1") },
                     &out, &err),
             0);
    QVERIFY2(out.contains("ALPN protocol: http/1.1"), out.constData());
    QCOMPARE(openssl({ QStringLiteral("s_client"), QStringLiteral("-connect"), target, QStringLiteral("-alpn"), QStringLiteral("h2") },
                     &out, &err),
             0);
    QVERIFY2(out.contains("No ALPN negotiated"), out.constData());

    // curl's own TLS 1.2 and the request through it.
    QByteArray verbose;
    curl(QStringList { QStringLiteral("-v"), QStringLiteral("--cacert"), path(QStringLiteral("ca.pem")),
                       QStringLiteral("--tls-max"), QStringLiteral("1.2"), QStringLiteral("-w"), QStringLiteral("\n%{http_code}") }
             + resolve(QStringLiteral("localhost"), gateway.port())
             + QStringList { QStringLiteral("https://localhost:%1/v12").arg(gateway.port()) },
         &out, &verbose);
    QVERIFY2(out.endsWith("\n200"), out.constData());
    QVERIFY2(verbose.contains("SSL connection using TLSv1.2"), verbose.constData());
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::largeBodiesBothWays()
{
    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("large"),
                         "  - bind: 127.0.0.1:0\n    tls: { cert: default.pem, key: default-key.pem }\n",
                         upstreamAndRoutes()));
    // 8 MiB down (many TLS records, written as the client reads) and 3 MiB up, on one connection.
    const QString upload = writeFile(m_dir, QStringLiteral("upload.bin"), QByteArray(3 * 1024 * 1024, 'u'));
    const QString download = path(QStringLiteral("download.bin"));
    QByteArray out;
    QByteArray err;
    const QString base = QStringLiteral("https://localhost:%1").arg(gateway.port());
    QCOMPARE(curl(QStringList { QStringLiteral("-S"), QStringLiteral("--cacert"), path(QStringLiteral("ca.pem")) }
                      + resolve(QStringLiteral("localhost"), gateway.port())
                      + QStringList { QStringLiteral("-o"), download, base + QStringLiteral("/_echo/bytes/8388608"),
                                      QStringLiteral("--next"), QStringLiteral("-sS"), QStringLiteral("--max-time"),
                                      QStringLiteral("30"), QStringLiteral("--cacert"), path(QStringLiteral("ca.pem")),
                                      QStringLiteral("--data-binary"), QLatin1Char('@') + upload, base + QStringLiteral("/up") }
                      + resolve(QStringLiteral("localhost"), gateway.port()),
                  &out, &err, 30000),
             0);
    QFile file(download);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray received = file.readAll();
    QCOMPARE(received.size(), qsizetype(8388608));
    const char pattern[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    for (qsizetype i = 0; i < received.size(); i += 4099) {
        QCOMPARE(received.at(i), pattern[i % 64]);
    }
    QCOMPARE(json(out).value(QStringLiteral("body_length")).toInt(), 3 * 1024 * 1024);
    QCOMPARE(field(out, "body_sha256").toLatin1(),
             QCryptographicHash::hash(QByteArray(3 * 1024 * 1024, 'u'), QCryptographicHash::Sha256).toHex());
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::stalledHandshakeIsDropped()
{
    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("stall"),
                         "  - bind: 127.0.0.1:0\n    tls: { cert: default.pem, key: default-key.pem }\n",
                         "limits: { header_timeout: 1s }\n" + upstreamAndRoutes()));
    const quint16 port = gateway.port();
    // One client sends nothing; one a TLS record header announcing 80 bytes of ClientHello that
    // never come; one the first 10 bytes of a real ClientHello.
    const QList<QByteArray> prefixes { QByteArray(), QByteArray("\x16\x03\x01\x00\x50", 5),
                                       QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03", 10) };
    // Each client's time counts from its own connect: the handshake of the last one may take a
    // while (under ASan), and the first ones' header_timeout runs meanwhile.
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    std::vector<QElapsedTimer> connectedAt;
    for (const QByteArray &prefix : prefixes) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(socket->waitForConnected(3000));
        connectedAt.emplace_back().start();
        if (!prefix.isEmpty()) {
            socket->write(prefix);
            QVERIFY(socket->waitForBytesWritten(3000));
        }
        sockets.push_back(std::move(socket));
    }
    // And one that completes the handshake, then says nothing.
    auto silent = std::make_unique<QSslSocket>();
    connectedAt.emplace_back().start(); // header_timeout runs from the connect, the handshake included
    QVERIFY(openTls(*silent, path(QStringLiteral("ca.pem")), port));
    sockets.push_back(std::move(silent));
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        const qint64 closed = closedAfter(*sockets[i], connectedAt[i], 5000);
        QVERIFY2(closed >= 800 && closed <= 3000,
                 qPrintable(QStringLiteral("client %1 closed after %2 ms").arg(i).arg(closed)));
        qInfo("stalled client %d dropped after %lld ms", int(i), closed);
    }
    // Plain HTTP to the TLS port: no HTTP answer, the connection just ends.
    bool closed = false;
    const QByteArray answer = rawExchange(port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 3000, &closed);
    QVERIFY(closed);
    QVERIFY2(!answer.contains("HTTP/1.1"), answer.constData());
    // The gateway is unharmed.
    QCOMPARE(httpsStatus(path(QStringLiteral("ca.pem")), QStringLiteral("localhost"), port), 200);
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::certificateFilesReloadForNewConnections()
{
    const QString dir = m_dir.path();
    QVERIFY(makeTestLeaf(dir, QStringLiteral("gen1"), QStringLiteral("ca"), QStringLiteral("reload-1"),
                         { QStringLiteral("DNS:localhost"), QStringLiteral("IP:127.0.0.1") }));
    QVERIFY(makeTestLeaf(dir, QStringLiteral("gen2"), QStringLiteral("ca"), QStringLiteral("reload-2"),
                         { QStringLiteral("DNS:localhost"), QStringLiteral("IP:127.0.0.1") }));
    QVERIFY(copyFile(path(QStringLiteral("gen1.pem")), path(QStringLiteral("live.pem"))));
    QVERIFY(copyFile(path(QStringLiteral("gen1-key.pem")), path(QStringLiteral("live-key.pem"))));

    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("reload"), "  - bind: 127.0.0.1:0\n    tls: { cert: live.pem, key: live-key.pem }\n",
                         upstreamAndRoutes()));
    const quint16 port = gateway.port();
    QCOMPARE(commonNameOf(servedCertificate(port, QStringLiteral("localhost"))), QStringLiteral("reload-1"));

    // A keep-alive connection that trusts the test CA only.
    QSslSocket old;
    QVERIFY(openTls(old, path(QStringLiteral("ca.pem")), port));
    QCOMPARE(commonNameOf(old.peerCertificate()), QStringLiteral("reload-1"));
    const quint16 oldLocalPort = old.localPort();
    QByteArray buffer;
    old.write("GET /before HTTP/1.1\r\nHost: localhost\r\n\r\n");
    std::optional<HttpResponse> response = readTlsResponse(old, buffer);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(seenHeader(response->body, "x-forwarded-proto"), QStringLiteral("https"));

    // The renewal lands by rename(2), key first; new connections get it within ~2 s.
    QVERIFY(replaceFile(path(QStringLiteral("gen2-key.pem")), path(QStringLiteral("live-key.pem"))));
    QVERIFY(replaceFile(path(QStringLiteral("gen2.pem")), path(QStringLiteral("live.pem"))));
    QElapsedTimer clock;
    clock.start();
    QString seen;
    while (clock.elapsed() < 5000) {
        seen = commonNameOf(servedCertificate(port, QStringLiteral("localhost")));
        if (seen == QLatin1String("reload-2")) {
            break;
        }
        QTest::qWait(100);
    }
    QVERIFY2(seen == QLatin1String("reload-2"), qPrintable(seen + QStringLiteral("\n") + QString::fromUtf8(gateway.stderrText())));
    qInfo("the renewed certificate served %lld ms after the rename", clock.elapsed());
    QCOMPARE(httpsStatus(path(QStringLiteral("ca.pem")), QStringLiteral("localhost"), port), 200);

    // The old connection was not dropped: the same socket answers again.
    old.write("GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n");
    response = readTlsResponse(old, buffer);
    QVERIFY2(response, qPrintable(old.errorString()));
    QCOMPARE(response->status, 200);
    QCOMPARE(field(response->body, "path"), QStringLiteral("/after"));
    QCOMPARE(old.localPort(), oldLocalPort);
    QCOMPARE(commonNameOf(old.peerCertificate()), QStringLiteral("reload-1"));

    // A broken renewal is reported; the last good certificate keeps serving.
    const QString garbage = writeFile(m_dir, QStringLiteral("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n");
    QVERIFY(replaceFile(garbage, path(QStringLiteral("live.pem"))));
    QVERIFY2(gateway.waitForStderr("still serving the previous certificate", 5000), gateway.stderrText().constData());
    QVERIFY2(gateway.stderrText().contains("live.pem"), gateway.stderrText().constData());
    QCOMPARE(gateway.process().state(), QProcess::Running);
    QCOMPARE(commonNameOf(servedCertificate(port, QStringLiteral("localhost"))), QStringLiteral("reload-2"));
    QCOMPARE(httpsStatus(path(QStringLiteral("ca.pem")), QStringLiteral("localhost"), port), 200);
    old.write("GET /still HTTP/1.1\r\nHost: localhost\r\n\r\n");
    response = readTlsResponse(old, buffer);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    // Reported once, not at every 2 s check while the file stays broken.
    QTest::qWait(2500);
    QCOMPARE(gateway.stderrText().count("still serving the previous certificate"), qsizetype(1));

    // Repaired: the next good file is taken again.
    QVERIFY(copyFile(path(QStringLiteral("gen1.pem")), path(QStringLiteral("live-next.pem"))));
    QVERIFY(copyFile(path(QStringLiteral("gen1-key.pem")), path(QStringLiteral("live-next-key.pem"))));
    QVERIFY(replaceFile(path(QStringLiteral("live-next-key.pem")), path(QStringLiteral("live-key.pem"))));
    QVERIFY(replaceFile(path(QStringLiteral("live-next.pem")), path(QStringLiteral("live.pem"))));
    clock.restart();
    while (clock.elapsed() < 5000) {
        seen = commonNameOf(servedCertificate(port, QStringLiteral("localhost")));
        if (seen == QLatin1String("reload-1")) {
            break;
        }
        QTest::qWait(100);
    }
    QCOMPARE(seen, QStringLiteral("reload-1"));
    old.disconnectFromHost();
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::pipelinedRequestsAndAbortedDownload()
{
    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("pipeline"),
                         "  - bind: 127.0.0.1:0\n    tls: { cert: default.pem, key: default-key.pem }\n", upstreamAndRoutes()));
    const QString caFile = path(QStringLiteral("ca.pem"));
    // Three requests in one TLS write: three answers, in order.
    QSslSocket socket;
    QVERIFY(openTls(socket, caFile, gateway.port()));
    socket.write("GET /p/1 HTTP/1.1\r\nHost: localhost\r\n\r\nGET /p/2 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 "POST /p/3 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
    QByteArray buffer;
    for (int i = 1; i <= 3; ++i) {
        const std::optional<HttpResponse> response = readTlsResponse(socket, buffer);
        QVERIFY2(response, qPrintable(QStringLiteral("response %1").arg(i)));
        QCOMPARE(response->status, 200);
        QCOMPARE(field(response->body, "path"), QStringLiteral("/p/%1").arg(i));
    }

    // A client that goes away in the middle of a large download (the gateway's TLS writes then
    // fail with EPIPE, never SIGPIPE), twice, while another connection keeps working.
    for (int round = 0; round < 2; ++round) {
        QSslSocket downloader;
        QVERIFY(openTls(downloader, caFile, gateway.port()));
        downloader.write("GET /_echo/bytes/268435456 HTTP/1.1\r\nHost: localhost\r\n\r\n");
        qint64 received = 0;
        QElapsedTimer clock;
        clock.start();
        while (received < 2 * 1024 * 1024 && clock.elapsed() < 10000 && downloader.waitForReadyRead(2000)) {
            received += downloader.readAll().size();
        }
        QVERIFY2(received >= 2 * 1024 * 1024, qPrintable(QString::number(received)));
        downloader.abort();
        QTest::qWait(200);
        QCOMPARE(gateway.process().state(), QProcess::Running);
        socket.write("GET /again HTTP/1.1\r\nHost: localhost\r\n\r\n");
        const std::optional<HttpResponse> response = readTlsResponse(socket, buffer);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
    }
    QCOMPARE(httpsStatus(caFile, QStringLiteral("localhost"), gateway.port()), 200);
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::forwardedProtoCannotBeSpoofed()
{
    GatehouseProcess gateway;
    QVERIFY(startGateway(gateway, QStringLiteral("proto"),
                         "  - bind: localhost:0\n"
                         "  - bind: 127.0.0.1:0\n    tls: { cert: default.pem, key: default-key.pem }\n",
                         upstreamAndRoutes(), 2));
    QByteArray out;
    QCOMPARE(curl({ QStringLiteral("-H"), QStringLiteral("X-Forwarded-Proto: https"),
                    QStringLiteral("http://127.0.0.1:%1/plain").arg(gateway.port(0)) },
                  &out),
             0);
    QCOMPARE(seenHeader(out, "x-forwarded-proto"), QStringLiteral("http"));
    QCOMPARE(curl(QStringList { QStringLiteral("--cacert"), path(QStringLiteral("ca.pem")), QStringLiteral("-H"),
                                QStringLiteral("X-Forwarded-Proto: http") }
                      + resolve(QStringLiteral("localhost"), gateway.port(1))
                      + QStringList { QStringLiteral("https://localhost:%1/tls").arg(gateway.port(1)) },
                  &out),
             0);
    QCOMPARE(seenHeader(out, "x-forwarded-proto"), QStringLiteral("https"));
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::redirectHttps()
{
    GatehouseProcess gateway;
    // The plain listener comes first; it still sends clients to the TLS listener's port.
    QVERIFY(startGateway(gateway, QStringLiteral("redirect"),
                         "  - bind: localhost:0\n    redirect_https: true\n"
                         "  - bind: 127.0.0.1:0\n    tls: { cert: default.pem, key: default-key.pem }\n",
                         upstreamAndRoutes(), 2));
    const quint16 plain = gateway.port(0);
    const quint16 tls = gateway.port(1);
    QVERIFY(plain != tls);
    QVERIFY2(gateway.stderrText().contains("listening on http://localhost:" + QByteArray::number(plain))
                 && gateway.stderrText().contains("listening on https://127.0.0.1:" + QByteArray::number(tls)),
             gateway.stderrText().constData());

    QByteArray out;
    QCOMPARE(curl(resolve(QStringLiteral("localhost"), plain)
                      + QStringList { QStringLiteral("-I"), QStringLiteral("http://localhost:%1/a/b?x=1").arg(plain) },
                  &out),
             0);
    const HttpResponse head = parseResponses(out).value(0);
    QVERIFY2(out.startsWith("HTTP/1.1 308"), out.constData());
    QCOMPARE(head.header("location"), "https://localhost:" + QByteArray::number(tls) + "/a/b?x=1");

    // Every method, and the Host as the client wrote it.
    for (const char *method : { "POST", "PUT", "DELETE" }) {
        QCOMPARE(curl({ QStringLiteral("-X"), QString::fromLatin1(method), QStringLiteral("--data"), QStringLiteral("x=1"),
                        QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                        QStringLiteral("%{http_code} %{redirect_url}"),
                        QStringLiteral("http://127.0.0.1:%1/form").arg(plain) },
                      &out),
                 0);
        QCOMPARE(out, "308 https://127.0.0.1:" + QByteArray::number(tls) + "/form");
    }
    // The request never reaches an upstream.
    const HttpResponse raw = parseResponses(rawExchange(plain, "GET /x HTTP/1.1\r\nHost: api.localhost:8080\r\nConnection: close\r\n\r\n")).value(0);
    QCOMPARE(raw.status, 308);
    QCOMPARE(raw.header("location"), "https://api.localhost:" + QByteArray::number(tls) + "/x");
    QVERIFY(!raw.body.contains("\"headers\""));

    // curl -L follows it; a 308 keeps the method and body.
    QCOMPARE(curl(QStringList { QStringLiteral("-L"), QStringLiteral("--cacert"), path(QStringLiteral("ca.pem")),
                                QStringLiteral("--data-binary"), QStringLiteral("followed") }
                      + resolve(QStringLiteral("localhost"), plain) + resolve(QStringLiteral("localhost"), tls)
                      + QStringList { QStringLiteral("http://localhost:%1/follow?q=2").arg(plain) },
                  &out),
             0);
    QCOMPARE(field(out, "method"), QStringLiteral("POST"));
    QCOMPARE(field(out, "path"), QStringLiteral("/follow"));
    QCOMPARE(field(out, "query"), QStringLiteral("q=2"));
    QCOMPARE(json(out).value(QStringLiteral("body_length")).toInt(), 8);
    QCOMPARE(seenHeader(out, "x-forwarded-proto"), QStringLiteral("https"));
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::sighupSwapsCertificate()
{
    const QByteArray head = "gatehouse: 1\nname: hup\nlisten:\n  - bind: 127.0.0.1:0\n    tls: ";
    const QByteArray rest = "\n" + upstreamAndRoutes();
    const QString profile = writeFile(m_dir, QStringLiteral("hup.yaml"), head + "{ cert: default.pem, key: default-key.pem }" + rest);
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(profile, { QStringLiteral("--quiet") }), gateway.stderrText().constData());
    const quint16 port = gateway.port();
    QCOMPARE(commonNameOf(servedCertificate(port, QStringLiteral("a.test"))), QStringLiteral("default.test"));

    // Another certificate set by SIGHUP: the same port, the new certificates.
    writeFile(m_dir, QStringLiteral("hup.yaml"),
              head + "\n      cert: default.pem\n      key: default-key.pem\n      certificates:\n"
                     "        - { hosts: [a.test], cert: a.pem, key: a-key.pem }" + rest);
    QByteArray message;
    QVERIFY2(reloadBySighup(gateway, &message), message.constData());
    QCOMPARE(commonNameOf(servedCertificate(port, QStringLiteral("a.test"))), QStringLiteral("a.test"));
    QCOMPARE(commonNameOf(servedCertificate(port, QStringLiteral("localhost"))), QStringLiteral("default.test"));

    // A reload naming a missing file fails as a whole; the running certificates stay.
    writeFile(m_dir, QStringLiteral("hup.yaml"), head + "{ cert: gone.pem, key: default-key.pem }" + rest);
    QVERIFY(!reloadBySighup(gateway, &message));
    QVERIFY2(gateway.waitForStderr("gone.pem", 2000), gateway.stderrText().constData());
    QCOMPARE(commonNameOf(servedCertificate(port, QStringLiteral("a.test"))), QStringLiteral("a.test"));
    QCOMPARE(httpsStatus(path(QStringLiteral("ca.pem")), QStringLiteral("a.test"), port), 200);

    // The listener turned plain by SIGHUP answers plain HTTP on the same port.
    writeFile(m_dir, QStringLiteral("hup.yaml"), "gatehouse: 1\nname: hup\nlisten:\n  - bind: 127.0.0.1:0\n" + upstreamAndRoutes());
    QVERIFY2(reloadBySighup(gateway, &message), message.constData());
    QByteArray out;
    curl({ QStringLiteral("http://127.0.0.1:%1/now-plain").arg(port) }, &out);
    QCOMPARE(seenHeader(out, "x-forwarded-proto"), QStringLiteral("http"));
    QCOMPARE(gateway.terminate(), 0);
}

// A reload that leaves a listener's TLS and names as they were keeps its certificate: the local CA
// is not asked again (the app applies every edit). New route hosts mean a new certificate.
void TestTlsListeners::autoCertificateKeptAcrossReloads()
{
    const QString dataHome = path(QStringLiteral("xdg-kept"));
    QVERIFY(QDir().mkpath(dataHome));
    const QByteArray listen = "  - bind: 127.0.0.1:0\n    tls: { auto: true }\n";
    const QString profile = writeFile(m_dir, QStringLiteral("kept.yaml"), "gatehouse: 1\nname: kept\nlisten:\n" + listen + upstreamAndRoutes());
    GatehouseProcess gateway;
    gateway.process().setProcessEnvironment(withDataHome(dataHome));
    QVERIFY2(gateway.startServe(profile, { QStringLiteral("--quiet") }), gateway.stderrText().constData());
    const quint16 port = gateway.port();
    const QSslCertificate first = servedCertificate(port, QStringLiteral("localhost"));
    QVERIFY(!first.isNull());

    writeFile(m_dir, QStringLiteral("kept.yaml"),
              "gatehouse: 1\nname: kept\nlisten:\n" + listen
                  + upstreamAndRoutes("  - { name: extra, match: { path: /extra }, respond: { body: x } }\n"));
    QByteArray message;
    QVERIFY2(reloadBySighup(gateway, &message), message.constData());
    QByteArray out;
    curl({ QStringLiteral("-k"), QStringLiteral("https://127.0.0.1:%1/extra").arg(port) }, &out);
    QCOMPARE(out, QByteArray("x")); // the reload ran
    QCOMPARE(servedCertificate(port, QStringLiteral("localhost")), first);

    writeFile(m_dir, QStringLiteral("kept.yaml"),
              "gatehouse: 1\nname: kept\nlisten:\n" + listen
                  + upstreamAndRoutes("  - { name: api, match: { hosts: [api.localhost], path: / }, upstream: echo }\n"));
    QVERIFY2(reloadBySighup(gateway, &message), message.constData());
    const QSslCertificate renamed = servedCertificate(port, QStringLiteral("localhost"));
    QVERIFY(renamed != first);
    QVERIFY(renamed.subjectAlternativeNames().values(QSsl::DnsEntry).contains(QStringLiteral("api.localhost")));
    QCOMPARE(gateway.terminate(), 0);
}

void TestTlsListeners::checkRejectsBadTls_data()
{
    QTest::addColumn<QByteArray>("listen");
    QTest::addColumn<QByteArray>("position"); // ":LINE:COL: "
    QTest::addColumn<QByteArray>("message");

    // Line 3 is the first listener's "- bind" line.
    QTest::newRow("empty tls") << QByteArray("  - bind: 127.0.0.1:0\n    tls: {}\n") << QByteArray(":4:10: ")
                               << QByteArray("needs 'cert' and 'key', 'certificates', or 'auto: true'");
    QTest::newRow("auto with cert") << QByteArray("  - bind: 127.0.0.1:0\n    tls: {auto: true, cert: a.pem, key: b.pem}\n")
                                    << QByteArray(":4:17: ") << QByteArray("'auto: true' issues the certificate itself");
    QTest::newRow("auto with certificates")
        << QByteArray("  - bind: 127.0.0.1:0\n    tls: { auto: true, certificates: [{ hosts: [a.test], cert: a.pem, key: a-key.pem }] }\n")
        << QByteArray(":4:18: ") << QByteArray("'auto: true' issues the certificate itself");
    QTest::newRow("cert without key") << QByteArray("  - bind: 127.0.0.1:0\n    tls: { cert: a.pem }\n")
                                      << QByteArray(":4:10: ") << QByteArray("needs 'key'");
    QTest::newRow("redirect without tls listener") << QByteArray("  - bind: 127.0.0.1:0\n    redirect_https: true\n")
                                                   << QByteArray(":4:21: ")
                                                   << QByteArray("'redirect_https' needs a listener with 'tls'");
    QTest::newRow("redirect on tls listener")
        << QByteArray("  - bind: 127.0.0.1:0\n    tls: { cert: a.pem, key: a-key.pem }\n    redirect_https: true\n")
        << QByteArray(":5:21: ") << QByteArray("'redirect_https' is for a plain HTTP listener");
    QTest::newRow("bad certificate host")
        << QByteArray("  - bind: 127.0.0.1:0\n    tls:\n      certificates:\n        - { hosts: [\"bad host\"], cert: a.pem, key: a-key.pem }\n")
        << QByteArray(":6:21: ") << QByteArray("invalid host 'bad host'");
    QTest::newRow("certificate without hosts")
        << QByteArray("  - bind: 127.0.0.1:0\n    tls:\n      certificates:\n        - { cert: a.pem, key: a-key.pem }\n")
        << QByteArray(":6:11: ") << QByteArray("hosts");
    QTest::newRow("missing cert file") << QByteArray("  - bind: 127.0.0.1:0\n    tls: { cert: missing.pem, key: a-key.pem }\n")
                                       << QByteArray(":3:5: ") << QByteArray("missing.pem");
}

void TestTlsListeners::checkRejectsBadTls()
{
    QFETCH(QByteArray, listen);
    QFETCH(QByteArray, position);
    QFETCH(QByteArray, message);
    const QString profile = writeFile(m_dir, QStringLiteral("bad-tls.yaml"),
                                      "gatehouse: 1\nlisten:\n" + listen
                                          + "routes:\n  - { name: hi, match: { path: / }, respond: { status: 200, body: hi } }\n");
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), profile }, &out, &err), 1);
    const QList<QByteArray> lines = out.trimmed().split('\n');
    QVERIFY2(lines.size() == 1, out.constData());
    QVERIFY2(lines.first().startsWith(profile.toUtf8() + position), out.constData());
    QVERIFY2(lines.first().contains(message), out.constData());
    // serve refuses it the same way, before listening.
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), profile }, &out, &err), 1);
    QVERIFY2(err.contains(message), err.constData());
    QVERIFY2(!err.contains("listening on"), err.constData());
}

void TestTlsListeners::serveRejectsBadCertificateFiles_data()
{
    QTest::addColumn<QByteArray>("tls");
    QTest::addColumn<QByteArray>("message");

    QTest::newRow("missing cert") << QByteArray("{ cert: nothing-here.pem, key: default-key.pem }")
                                  << QByteArray("nothing-here.pem: No such file or directory");
    QTest::newRow("missing key") << QByteArray("{ cert: default.pem, key: no-key.pem }") << QByteArray("no-key.pem: No such file or directory");
    QTest::newRow("key of another certificate") << QByteArray("{ cert: default.pem, key: a-key.pem }")
                                                << QByteArray("default.pem: the key does not belong to the certificate");
    QTest::newRow("key as certificate") << QByteArray("{ cert: default-key.pem, key: default-key.pem }")
                                        << QByteArray("default-key.pem: not a PEM certificate");
    QTest::newRow("sni entry with a wrong key")
        << QByteArray("\n      cert: default.pem\n      key: default-key.pem\n      certificates:\n"
                      "        - { hosts: [a.test], cert: a.pem, key: b-key.pem }")
        << QByteArray("a.pem: the key does not belong to the certificate");
}

void TestTlsListeners::serveRejectsBadCertificateFiles()
{
    QFETCH(QByteArray, tls);
    QFETCH(QByteArray, message);
    const QString profile = writeFile(m_dir, QStringLiteral("bad-files.yaml"),
                                      "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:0\n    tls: " + tls
                                          + "\nroutes:\n  - { name: hi, match: { path: / }, respond: { status: 200, body: hi } }\n");
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), profile }, &out, &err), 1);
    QVERIFY2(err.contains("listen 127.0.0.1:0: tls: "), err.constData());
    QVERIFY2(err.contains(message), err.constData());
    QVERIFY2(!err.contains("listening on"), err.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), profile }, &out, &err), 1);
    QVERIFY2(out.contains(message), out.constData());
}

void TestTlsListeners::portZeroListenersOnOneHost()
{
    // Any number of port-0 listeners on one host (docs: "Port 0 never collides"): each is a socket
    // of its own with its own TLS setting, also across a SIGHUP that keeps them.
    const QByteArray yaml = "gatehouse: 1\nname: two-zero\nlisten:\n"
                            "  - bind: 127.0.0.1:0\n    tls: { cert: default.pem, key: default-key.pem }\n"
                            "  - bind: 127.0.0.1:0\n    redirect_https: true\n"
                            "  - bind: 127.0.0.1:0\n"
        + upstreamAndRoutes();
    const QString profile = writeFile(m_dir, QStringLiteral("two-zero.yaml"), yaml);
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(profile, { QStringLiteral("--quiet") }, 3), gateway.stderrText().constData());
    const quint16 tls = gateway.port(0);
    const quint16 redirect = gateway.port(1);
    const quint16 plain = gateway.port(2);
    QVERIFY2(tls != redirect && redirect != plain && tls != plain, gateway.stderrText().constData());
    const auto check = [&]() {
        QByteArray body;
        QCOMPARE(httpsStatus(path(QStringLiteral("ca.pem")), QStringLiteral("localhost"), tls, nullptr, &body), 200);
        QCOMPARE(seenHeader(body, "x-forwarded-proto"), QStringLiteral("https"));
        QByteArray out;
        QCOMPARE(curl({ QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"), QStringLiteral("%{http_code} %{redirect_url}"),
                        QStringLiteral("http://127.0.0.1:%1/r").arg(redirect) },
                      &out),
                 0);
        QCOMPARE(out, "308 https://127.0.0.1:" + QByteArray::number(tls) + "/r");
        QCOMPARE(curl({ QStringLiteral("http://127.0.0.1:%1/p").arg(plain) }, &out), 0);
        QCOMPARE(seenHeader(out, "x-forwarded-proto"), QStringLiteral("http"));
    };
    check();
    if (QTest::currentTestFailed()) {
        return;
    }
    QByteArray message;
    QVERIFY2(reloadBySighup(gateway, &message), message.constData());
    check();
    QCOMPARE(gateway.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestTlsListeners)
#include "TestTlsListeners.moc"
