// Secrets in the OS keychain end to end, through the real binary and a real Secret Service
// (gnome-keyring in a private D-Bus session, see with-secret-service.sh): `gatehouse secret set`
// stores a JWT secret, `serve` and `token` resolve keychain:NAME, a missing item is named
// clearly and never half-applied, and the secret never appears in any output.

#include <csignal>

#include <QNetworkAccessManager>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

const QByteArray kSecret = "keychain-stored-secret-0123456789abcdef";

int runWithInput(const QStringList &args, const QByteArray &input, QByteArray *out, QByteArray *err)
{
    QProcess process;
    process.start(gatehouseBinary(), args);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000)) {
        process.kill();
        return -1;
    }
    *out = process.readAllStandardOutput();
    *err = process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

QByteArray profileUsing(const char *item)
{
    return QByteArray(R"(gatehouse: 1
name: keychain
listen: [{ bind: 127.0.0.1:0 }]
routes:
  - { name: me, match: { path: /me }, respond: { status: 200, body: hello }, auth: user-jwt }
jwt:
  - { name: user-jwt, algorithms: [HS256], secret: "keychain:)")
        + item + "\" }\n";
}

} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void storedSecretServesAndSigns();
    void missingItemIsNamedAndNothingIsHalfApplied();
    void noSecretServiceIsNamed();

private:
    QTemporaryDir m_dir;
    QNetworkAccessManager m_manager;
};

void TestKeychain::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"), "run through with-secret-service.sh");
}

void TestKeychain::storedSecretServesAndSigns()
{
    QByteArray out;
    QByteArray err;
    QCOMPARE(runWithInput({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("gatehouse-test-jwt") }, kSecret + '\n', &out, &err), 0);
    QCOMPARE(out, QByteArray("stored keychain:gatehouse-test-jwt\n"));

    const QString path = writeFile(m_dir, QStringLiteral("stored.yaml"), profileUsing("gatehouse-test-jwt"));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(path), gateway.stderrText().constData());
    QByteArray token;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), path, QStringLiteral("--jwt"), QStringLiteral("user-jwt") }, &token, &err), 0);
    token = token.trimmed();
    QnamResult result = qnam(m_manager, "GET", gateway.url() + QStringLiteral("/me"), { { "Authorization", "Bearer " + token } });
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, QByteArray("hello"));

    // The item goes away; a reload that needs it is refused, naming it, and the running profile
    // (with the secret it already read) keeps serving.
    QCOMPARE(runWithInput({ QStringLiteral("secret"), QStringLiteral("delete"), QStringLiteral("gatehouse-test-jwt") }, {}, &out, &err), 0);
    QByteArray message;
    QVERIFY(!reloadBySighup(gateway, &message));
    QVERIFY2(gateway.waitForStderr("keychain:gatehouse-test-jwt: no such item in the OS keychain"), gateway.stderrText().constData());
    result = qnam(m_manager, "GET", gateway.url() + QStringLiteral("/me"), { { "Authorization", "Bearer " + token } });
    QCOMPARE(result.status, 200);
    QCOMPARE(gateway.terminate(), 0);
    QVERIFY(!gateway.stderrText().contains(kSecret));
}

void TestKeychain::missingItemIsNamedAndNothingIsHalfApplied()
{
    const QString path = writeFile(m_dir, QStringLiteral("missing.yaml"), profileUsing("gatehouse-test-never-stored"));
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), path }, &out, &err), 1);
    QVERIFY2(err.contains("JWT profile 'user-jwt': keychain:gatehouse-test-never-stored: no such item in the OS keychain"), err.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), path, QStringLiteral("--jwt"), QStringLiteral("user-jwt") }, &out, &err), 2);
    QVERIFY2(err.contains("keychain:gatehouse-test-never-stored"), err.constData());
    QCOMPARE(runWithInput({ QStringLiteral("secret"), QStringLiteral("set"), QStringLiteral("x") }, {}, &out, &err), 1);
    QVERIFY2(err.contains("nothing on stdin"), err.constData());
}

void TestKeychain::noSecretServiceIsNamed()
{
    const QString path = writeFile(m_dir, QStringLiteral("nobus.yaml"), profileUsing("gatehouse-test-jwt"));
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=") + m_dir.filePath(QStringLiteral("no-bus")));
    process.setProcessEnvironment(env);
    process.start(gatehouseBinary(), { QStringLiteral("serve"), path });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 1);
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(err.contains("JWT profile 'user-jwt': keychain:gatehouse-test-jwt: "), err.constData());
}

QTEST_GUILESS_MAIN(TestKeychain)
#include "TestKeychain.moc"
