// `gatehouse ca --trust` / `--untrust` run as a user would run them, against real NSS stores
// (certutil) and a real Debian system store (update-ca-certificates), all inside a sandbox: the
// machine's own stores are checked to be untouched at the end.

#include <unistd.h>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include "engine/tls/LocalCa.h"
#include "tests/support/TestSupport.h"
#include "tests/support/TrustSandbox.h"

using gatehouse::test::TrustSandbox;

namespace {

constexpr int kTimeoutMs = 60000;

struct Run
{
    int exitCode = -1;
    QStringList lines; // stdout
    QByteArray err;
};

Run run(const QString &program, const QStringList &args, const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, args);
    process.closeWriteChannel();
    Run result;
    if (process.waitForFinished(kTimeoutMs) && process.exitStatus() == QProcess::NormalExit) {
        result.exitCode = process.exitCode();
    }
    result.lines = QString::fromLocal8Bit(process.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    result.err = process.readAllStandardError();
    return result;
}

Run ca(const QString &option, const QProcessEnvironment &environment)
{
    return run(gatehouse::test::gatehouseBinary(), { QStringLiteral("ca"), option }, environment);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// `openssl verify` of `leaf` against a bundle file or a hashed folder, as OpenSSL clients do.
bool opensslVerifies(const QString &caOption, const QString &where, const QString &leaf)
{
    return run(QStringLiteral("openssl"), { QStringLiteral("verify"), caOption, where, leaf },
               QProcessEnvironment::systemEnvironment())
               .exitCode
        == 0;
}

// Everything about the machine's own stores a mistake here could change.
QStringList realStores()
{
    QStringList state;
    for (const QString &path : { QStringLiteral("/etc/ssl/certs/ca-certificates.crt"),
                                 QStringLiteral("/usr/local/share/ca-certificates"),
                                 QDir::homePath() + QStringLiteral("/.pki/nssdb/cert9.db") }) {
        const QFileInfo info(path);
        state.append(path + QLatin1Char(' ') + info.lastModified().toString(Qt::ISODateWithMs)
                     + QLatin1Char(' ') + QDir(path).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).join(u','));
    }
    return state;
}

} // namespace

class TestCaTrust final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void trustThenUntrust();
    void withoutRoot();
    void withoutCertutil();
    void protectedStoreFails();
    void noNssStore();
    void badUsage();
    void cleanupTestCase();

private:
    QStringList storeLines(const QString &verb, const QString &preposition) const;

    QStringList m_realStores;
    std::unique_ptr<TrustSandbox> m_sandbox;
    QString m_systemFile; // the CA's file in the sandbox's system store
    QString m_nickname;
    QString m_leaf; // issued by the sandbox's CA for localhost
};

void TestCaTrust::initTestCase()
{
    for (const char *tool : { "certutil", "openssl" }) {
        QVERIFY2(!QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty(), tool);
    }
    QVERIFY(QFileInfo::exists(QStringLiteral("/usr/sbin/update-ca-certificates")));
    m_realStores = realStores();
}

void TestCaTrust::init()
{
    m_sandbox = std::make_unique<TrustSandbox>();
    QString error;
    QVERIFY2(m_sandbox->create(&error), qPrintable(error));
    const auto localCa = gatehouse::engine::tls::LocalCa::openOrCreate(QFileInfo(m_sandbox->caPath()).path(), &error);
    QVERIFY2(localCa, qPrintable(error));
    const auto issued = localCa->issue({ QStringLiteral("localhost") }, &error);
    m_leaf = m_sandbox->path() + QStringLiteral("/leaf.pem");
    QFile leaf(m_leaf);
    QVERIFY(leaf.open(QIODevice::WriteOnly) && leaf.write(issued.certPem) > 0);
    leaf.close();
    m_nickname = TrustSandbox::nickname(m_sandbox->caPath());
    m_systemFile = m_sandbox->localCertsDir() + QStringLiteral("/gatehouse-ca-%1.crt").arg(m_nickname.right(16).toLower());
}

// The lines for the three stores of the sandbox, in the order the command prints them.
QStringList TestCaTrust::storeLines(const QString &verb, const QString &preposition) const
{
    return { QStringLiteral("%1 %2 the system store (%3)").arg(verb, preposition, m_systemFile),
             QStringLiteral("%1 %2 Chromium/Chrome NSS store %3").arg(verb, preposition, m_sandbox->chromiumStore()),
             QStringLiteral("%1 %2 Firefox profile %3").arg(verb, preposition, m_sandbox->firefoxProfile()) };
}

void TestCaTrust::trustThenUntrust()
{
    const QProcessEnvironment environment = m_sandbox->environment();
    const QByteArray caPem = readFile(m_sandbox->caPath());
    const QByteArray otherPem = readFile(m_sandbox->otherCaPath());

    Run trust = ca(QStringLiteral("--trust"), environment);
    QCOMPARE(trust.exitCode, 0);
    QCOMPARE(trust.lines, storeLines(QStringLiteral("added"), QStringLiteral("to")));
    QCOMPARE(TrustSandbox::nssTrust(m_sandbox->chromiumStore(), m_nickname), QStringLiteral("C,,"));
    QCOMPARE(TrustSandbox::nssTrust(m_sandbox->firefoxProfile(), m_nickname), QStringLiteral("C,,"));
    QCOMPARE(readFile(m_systemFile), caPem);
    QVERIFY(QFile::permissions(m_systemFile).testFlags(QFile::ReadGroup | QFile::ReadOther)); // OpenSSL reads it as the user
    const QByteArray bundle = readFile(m_sandbox->bundle());
    QVERIFY(bundle.contains(caPem));
    QVERIFY(bundle.contains(otherPem));
    QVERIFY(opensslVerifies(QStringLiteral("-CAfile"), m_sandbox->bundle(), m_leaf));
    QVERIFY(opensslVerifies(QStringLiteral("-CApath"), m_sandbox->certsDir(), m_leaf));
    QVERIFY(QDir(m_sandbox->profileWithoutStore()).isEmpty()); // no store made where there was none

    trust = ca(QStringLiteral("--trust"), environment);
    QCOMPARE(trust.exitCode, 0);
    QCOMPARE(trust.lines, storeLines(QStringLiteral("already trusted"), QStringLiteral("in")));

    Run untrust = ca(QStringLiteral("--untrust"), environment);
    QCOMPARE(untrust.exitCode, 0);
    QCOMPARE(untrust.lines, storeLines(QStringLiteral("removed"), QStringLiteral("from")));
    QCOMPARE(TrustSandbox::nssTrust(m_sandbox->chromiumStore(), m_nickname), QString());
    QCOMPARE(TrustSandbox::nssTrust(m_sandbox->firefoxProfile(), m_nickname), QString());
    QVERIFY(!QFileInfo::exists(m_systemFile));
    QVERIFY(!readFile(m_sandbox->bundle()).contains(caPem));
    QVERIFY(readFile(m_sandbox->bundle()).contains(otherPem));
    QVERIFY(!opensslVerifies(QStringLiteral("-CAfile"), m_sandbox->bundle(), m_leaf));
    QVERIFY(!opensslVerifies(QStringLiteral("-CApath"), m_sandbox->certsDir(), m_leaf));

    untrust = ca(QStringLiteral("--untrust"), environment);
    QCOMPARE(untrust.exitCode, 0);
    QCOMPARE(untrust.lines, storeLines(QStringLiteral("not present"), QStringLiteral("in")));
    QVERIFY(QDir(m_sandbox->profileWithoutStore()).isEmpty());
}

// A user who is not root: the NSS stores change, the system store is skipped with the exact
// commands to run, and those commands (run as root here) do trust the CA.
void TestCaTrust::withoutRoot()
{
    QProcessEnvironment environment = m_sandbox->environment();
    QString program = gatehouse::test::gatehouseBinary();
    QStringList args { QStringLiteral("ca"), QStringLiteral("--trust") };
    if (::geteuid() == 0) {
        // As nobody, who owns the sandbox's home and CA but not its system store.
        QVERIFY(QFile::setPermissions(m_sandbox->path(), QFile::permissions(m_sandbox->path()) | QFile::ExeGroup | QFile::ExeOther));
        QCOMPARE(run(QStringLiteral("chown"), { QStringLiteral("-R"), QStringLiteral("65534:65534"), m_sandbox->home(),
                                                m_sandbox->dataHome(), m_leaf }, environment).exitCode, 0);
        args = QStringList { QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                             program } + args;
        program = QStringLiteral("setpriv");
    } else {
        // The user owns the sandbox: its system store is made theirs no longer to write.
        QVERIFY(QFile::setPermissions(m_sandbox->localCertsDir(), QFile::ReadOwner | QFile::ExeOwner));
    }
    const Run trust = run(program, args, environment);
    QCOMPARE(trust.exitCode, 0);
    QCOMPARE(trust.lines.size(), 3);
    const QString skipped = QStringLiteral("skipped the system store (%1): it needs root; run: ").arg(m_systemFile);
    QVERIFY2(trust.lines.at(0).startsWith(skipped), qPrintable(trust.lines.at(0)));
    QCOMPARE(trust.lines.mid(1), storeLines(QStringLiteral("added"), QStringLiteral("to")).mid(1));
    QVERIFY(!QFileInfo::exists(m_systemFile));
    const QString commands = trust.lines.at(0).mid(skipped.size());
    QCOMPARE(commands,
             QStringLiteral("sudo install -m 644 %1 %2 && sudo update-ca-certificates --certsconf %3/etc/ca-certificates.conf "
                            "--certsdir %3/usr/share/ca-certificates --localcertsdir %3/usr/local/share/ca-certificates "
                            "--etccertsdir %3/etc/ssl/certs --hooksdir %3/etc/ca-certificates/update.d")
                 .arg(m_sandbox->caPath(), m_systemFile, m_sandbox->sysroot()));
    if (::geteuid() != 0) {
        QSKIP("not root: the printed commands cannot be run here");
    }
    QCOMPARE(run(QStringLiteral("sh"), { QStringLiteral("-c"), QString(commands).remove(QStringLiteral("sudo ")) }, environment).exitCode,
             0);
    QCOMPARE(run(program, args, environment).lines,
             storeLines(QStringLiteral("already trusted"), QStringLiteral("in")));
}

// certutil missing: each NSS store says what to install, the system store is still done.
void TestCaTrust::withoutCertutil()
{
    // A PATH with every program of /usr/bin but certutil.
    const QString bin = m_sandbox->path() + QStringLiteral("/bin");
    QVERIFY(QDir().mkpath(bin));
    const QDir usrBin(QStringLiteral("/usr/bin"));
    for (const QString &name : usrBin.entryList(QDir::Files | QDir::System)) {
        if (name != u"certutil") {
            QVERIFY(QFile::link(usrBin.filePath(name), bin + QLatin1Char('/') + name));
        }
    }
    QProcessEnvironment environment = m_sandbox->environment();
    environment.insert(QStringLiteral("PATH"), bin);
    const Run trust = ca(QStringLiteral("--trust"), environment);
    QCOMPARE(trust.exitCode, 0);
    const QString install = QStringLiteral(": certutil not found: install libnss3-tools (sudo apt install libnss3-tools)");
    QCOMPARE(trust.lines,
             QStringList({ storeLines(QStringLiteral("added"), QStringLiteral("to")).at(0),
                           QStringLiteral("skipped Chromium/Chrome NSS store ") + m_sandbox->chromiumStore() + install,
                           QStringLiteral("skipped Firefox profile ") + m_sandbox->firefoxProfile() + install }));
    QCOMPARE(TrustSandbox::nssTrust(m_sandbox->chromiumStore(), m_nickname), QString());
}

// A Firefox profile with a primary password cannot be changed without it: that store fails, exit
// 3, and the others are still done.
void TestCaTrust::protectedStoreFails()
{
    const QString profile = m_sandbox->home() + QStringLiteral("/.mozilla/firefox/xyz.locked");
    const QString password = m_sandbox->path() + QStringLiteral("/password");
    QFile file(password);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write("secret\n") > 0);
    file.close();
    QVERIFY(QDir().mkpath(profile));
    QCOMPARE(run(QStringLiteral("certutil"), { QStringLiteral("-N"), QStringLiteral("-d"), QStringLiteral("sql:") + profile,
                                               QStringLiteral("-f"), password }, QProcessEnvironment::systemEnvironment())
                 .exitCode,
             0);
    const Run trust = ca(QStringLiteral("--trust"), m_sandbox->environment());
    QCOMPARE(trust.exitCode, 3);
    QCOMPARE(trust.lines.mid(0, 3), storeLines(QStringLiteral("added"), QStringLiteral("to")));
    QCOMPARE(trust.lines.size(), 4);
    QVERIFY2(trust.lines.at(3).startsWith(QStringLiteral("failed: Firefox profile %1: certutil: ").arg(profile)),
             qPrintable(trust.lines.at(3)));
    QVERIFY2(trust.lines.at(3).endsWith(QStringLiteral("(a primary password protects this store: import the CA in the browser's settings)")),
             qPrintable(trust.lines.at(3)));
    QCOMPARE(TrustSandbox::nssTrust(m_sandbox->firefoxProfile(), m_nickname), QStringLiteral("C,,"));
}

void TestCaTrust::noNssStore()
{
    QProcessEnvironment environment = m_sandbox->environment();
    const QString emptyHome = m_sandbox->path() + QStringLiteral("/empty-home");
    QVERIFY(QDir().mkpath(emptyHome));
    environment.insert(QStringLiteral("HOME"), emptyHome);
    const Run untrust = ca(QStringLiteral("--untrust"), environment);
    QCOMPARE(untrust.exitCode, 0);
    QCOMPARE(untrust.lines,
             QStringList({ storeLines(QStringLiteral("not present"), QStringLiteral("in")).at(0),
                           QStringLiteral("skipped Firefox and Chromium: no NSS store under %1 (a browser makes its store "
                                          "when it first starts)").arg(emptyHome) }));
}

void TestCaTrust::badUsage()
{
    const Run both = run(gatehouse::test::gatehouseBinary(), { QStringLiteral("ca"), QStringLiteral("--trust"), QStringLiteral("--untrust") },
                         m_sandbox->environment());
    QCOMPARE(both.exitCode, 1);
    QVERIFY2(both.err.contains("ca: --trust takes no other argument"), both.err.constData());
    QVERIFY(both.err.contains("gatehouse ca --untrust"));
    QVERIFY(QDir(m_sandbox->localCertsDir()).isEmpty());
}

void TestCaTrust::cleanupTestCase()
{
    QCOMPARE(realStores(), m_realStores);
}

QTEST_GUILESS_MAIN(TestCaTrust)
#include "TestCaTrust.moc"
