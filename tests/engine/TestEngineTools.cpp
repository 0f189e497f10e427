// The UI's engine tools (engine/core/EngineTools.h): a test token minted with a keychain secret
// and with a private key file, a listener's certificate files checked, each answered later on the
// calling thread's event loop (the work runs on the thread pool), and never to a context that is
// gone.

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include "engine/auth/JwtKey.h"
#include "engine/core/EngineTools.h"
#include "engine/tls/LocalCa.h"
#include "tests/support/InMemorySecretStore.h"

using namespace gatehouse;
using namespace gatehouse::engine;

namespace {

constexpr int kWaitMs = 10000;
const QByteArray kSecret = "engine-tools-test-secret-long-enough-for-hs256";

QByteArray decoded(const QString &part)
{
    return QByteArray::fromBase64(part.toLatin1(), QByteArray::Base64UrlEncoding);
}

// The answer to one call, and the thread it came on.
template <typename T>
struct Answer
{
    std::optional<T> value;
    QThread *thread = nullptr;
    std::function<void(const T &)> callback()
    {
        return [this](const T &answer) {
            value = answer;
            thread = QThread::currentThread();
        };
    }
};

} // namespace

class TestEngineTools final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void mintsWithAKeychainSecretOffTheCallingThread();
    void mintsWithAPrivateKeyFile();
    void mintErrorsComeBackAsErrors();
    void checksListenerCertificates();
    void aDestroyedContextIsNotCalledBack();

private:
    tools::TestToken mint(const tools::TestTokenRequest &request);

    QTemporaryDir m_dir;
    test::InMemorySecretStore m_store;
    QByteArray m_certPem;
};

void TestEngineTools::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    QVERIFY(m_store.write(QStringLiteral("tools-secret"), kSecret, &error));
    const auto ca = tls::LocalCa::openOrCreate(m_dir.filePath(QStringLiteral("ca")), &error);
    QVERIFY2(ca, qPrintable(error));
    const tls::IssuedCertificate leaf = ca->issue({ QStringLiteral("localhost") }, &error);
    QVERIFY2(!leaf.certPem.isEmpty(), qPrintable(error));
    m_certPem = leaf.certPem;
    for (const auto &[name, pem] : { std::pair { "site.pem", leaf.certPem }, std::pair { "site-key.pem", leaf.keyPem } }) {
        QFile file(m_dir.filePath(QString::fromLatin1(name)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(pem), pem.size());
    }
}

tools::TestToken TestEngineTools::mint(const tools::TestTokenRequest &request)
{
    QObject context;
    Answer<tools::TestToken> answer;
    tools::mintTestToken(request, &m_store, &context, answer.callback());
    if (!QTest::qWaitFor([&] { return answer.value.has_value(); }, kWaitMs)) {
        return { QString(), QStringLiteral("no answer within %1 ms").arg(kWaitMs) };
    }
    return *answer.value;
}

void TestEngineTools::mintsWithAKeychainSecretOffTheCallingThread()
{
    tools::TestTokenRequest request;
    request.jwt.name = QStringLiteral("user-jwt");
    request.jwt.algorithms = { QStringLiteral("HS256") };
    request.jwt.secret = { profile::SecretRef::Kind::Keychain, QStringLiteral("tools-secret") };
    request.jwt.issuer = QStringLiteral("https://auth.tools.test");
    request.algorithm = QStringLiteral("HS256");
    request.claims = { { QStringLiteral("role"), QStringLiteral("admin") }, { QStringLiteral("level"), QStringLiteral("42") } };
    request.ttl = std::chrono::minutes(15);

    QObject context;
    Answer<tools::TestToken> answer;
    tools::mintTestToken(request, &m_store, &context, answer.callback());
    QVERIFY(!answer.value); // not on this thread, not before its event loop runs
    QTRY_VERIFY_WITH_TIMEOUT(answer.value.has_value(), kWaitMs);
    QCOMPARE(answer.thread, QThread::currentThread());
    QVERIFY2(answer.value->error.isEmpty(), qPrintable(answer.value->error));

    const QStringList parts = answer.value->token.split(u'.');
    QCOMPARE(parts.size(), 3);
    const QJsonObject payload = QJsonDocument::fromJson(decoded(parts.at(1))).object();
    QCOMPARE(payload.value(QStringLiteral("sub")).toString(), QStringLiteral("dev-user"));
    QCOMPARE(payload.value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
    QCOMPARE(payload.value(QStringLiteral("level")).toInt(), 42); // typed JSON stays JSON
    QCOMPARE(payload.value(QStringLiteral("iss")).toString(), QStringLiteral("https://auth.tools.test"));
    QCOMPARE(payload.value(QStringLiteral("exp")).toInteger() - payload.value(QStringLiteral("iat")).toInteger(), qint64(900));
    const JwtKey key = JwtKey::fromSecret(kSecret);
    QVERIFY(key.verify(JwtAlgorithm::HS256, (parts.at(0) + u'.' + parts.at(1)).toLatin1(), decoded(parts.at(2))));
}

void TestEngineTools::mintsWithAPrivateKeyFile()
{
    tools::TestTokenRequest request;
    request.jwt.name = QStringLiteral("ec-jwt");
    request.jwt.algorithms = { QStringLiteral("ES256") };
    request.jwt.privateKey = { profile::SecretRef::Kind::File, QStringLiteral("site-key.pem") };
    request.baseDir = m_dir.path();
    request.algorithm = QStringLiteral("ES256");
    const tools::TestToken minted = mint(request);
    QVERIFY2(minted.error.isEmpty(), qPrintable(minted.error));

    const QStringList parts = minted.token.split(u'.');
    QCOMPARE(parts.size(), 3);
    QString error;
    const auto publicKey = JwtKey::fromPem(m_certPem, &error); // the leaf certificate, first in the PEM
    QVERIFY2(publicKey, qPrintable(error));
    QVERIFY(publicKey->verify(JwtAlgorithm::ES256, (parts.at(0) + u'.' + parts.at(1)).toLatin1(), decoded(parts.at(2))));
}

void TestEngineTools::mintErrorsComeBackAsErrors()
{
    tools::TestTokenRequest request;
    request.jwt.name = QStringLiteral("ghost-jwt");
    request.jwt.algorithms = { QStringLiteral("HS256") };
    request.jwt.secret = { profile::SecretRef::Kind::Keychain, QStringLiteral("no-such-item") };
    request.algorithm = QStringLiteral("HS256");
    tools::TestToken minted = mint(request);
    QVERIFY(minted.token.isEmpty());
    QCOMPARE(minted.error, QStringLiteral("keychain:no-such-item: no such item in the OS keychain"));

    request.algorithm = QString();
    minted = mint(request);
    QVERIFY(minted.token.isEmpty());
    QCOMPARE(minted.error, QStringLiteral("JWT profile 'ghost-jwt' lists no algorithm to sign with"));

    request.jwt.secret = { profile::SecretRef::Kind::Keychain, QStringLiteral("tools-secret") };
    request.algorithm = QStringLiteral("ES256"); // an HMAC secret cannot sign ES256
    minted = mint(request);
    QVERIFY(minted.token.isEmpty());
    QCOMPARE(minted.error, QStringLiteral("the key of JWT profile 'ghost-jwt' cannot sign ES256"));
}

void TestEngineTools::checksListenerCertificates()
{
    profile::ListenerTls files;
    files.cert = QStringLiteral("site.pem");
    files.key = QStringLiteral("site-key.pem");
    QObject context;
    Answer<QString> good;
    tools::checkListenerCertificates(files, m_dir.path(), &context, good.callback());
    QVERIFY(!good.value);
    QTRY_VERIFY_WITH_TIMEOUT(good.value.has_value(), kWaitMs);
    QCOMPARE(good.thread, QThread::currentThread());
    QCOMPARE(*good.value, QString());

    files.cert = QStringLiteral("missing.pem");
    Answer<QString> missing;
    tools::checkListenerCertificates(files, m_dir.path(), &context, missing.callback());
    QTRY_VERIFY_WITH_TIMEOUT(missing.value.has_value(), kWaitMs);
    QVERIFY2(missing.value->contains(QStringLiteral("missing.pem")), qPrintable(*missing.value));
}

void TestEngineTools::aDestroyedContextIsNotCalledBack()
{
    profile::ListenerTls files;
    files.cert = QStringLiteral("site.pem");
    files.key = QStringLiteral("site-key.pem");
    auto context = std::make_unique<QObject>();
    Answer<QString> answer;
    tools::checkListenerCertificates(files, m_dir.path(), context.get(), answer.callback());
    context.reset(); // a dialog closed while its work runs
    QVERIFY(QThreadPool::globalInstance()->waitForDone(kWaitMs));
    QTest::qWait(50); // what the pool posted, had anything been posted
    QVERIFY(!answer.value);
}

QTEST_GUILESS_MAIN(TestEngineTools)
#include "TestEngineTools.moc"
