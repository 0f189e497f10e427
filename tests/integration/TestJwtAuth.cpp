// JWT auth end to end through `gatehouse serve`: tokens signed by an independent implementation
// (Debian's python3-jose, keys from the openssl tool) pass; tokens minted by `gatehouse token`
// verify in python3-jose; the known attacks fail over the wire with the right 401; claim
// headers cannot be spoofed; `require` gives 403; the access log names each failed check.

#include <QDateTime>
#include <QJsonArray>
#include <QMessageAuthenticationCode>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "tests/auth/JwtTestKeys.h"
#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

// The profile lists HS512: at least 64 bytes (RFC 7518 §3.2).
const QByteArray kSecret = "integration-secret-of-enough-length-for-hs512-0123456789abcdefghij";

// python3-jose from Debian: /usr/bin/python3, whatever `python3` is first on PATH.
QByteArray python(const QByteArray &script, const QStringList &args = {})
{
    QProcess process;
    process.start(QStringLiteral("/usr/bin/python3"), QStringList { QStringLiteral("-c"), QString::fromUtf8(script) } + args);
    if (!process.waitForFinished(30000) || process.exitCode() != 0) {
        qWarning("python3 failed: %s", process.readAllStandardError().constData());
        return {};
    }
    return process.readAllStandardOutput().trimmed();
}

// A token signed by python3-jose with the key in `keyPath` (a secret or a PEM private key).
QByteArray joseToken(const QJsonObject &claims, const QString &keyPath, const char *algorithm,
                     const QJsonObject &headers = {})
{
    return python("import sys, json\nfrom jose import jwt\n"
                  "print(jwt.encode(json.loads(sys.argv[1]), open(sys.argv[2]).read(), algorithm=sys.argv[3], "
                  "headers=json.loads(sys.argv[4])))",
                  { QString::fromUtf8(QJsonDocument(claims).toJson(QJsonDocument::Compact)), keyPath,
                    QString::fromLatin1(algorithm), QString::fromUtf8(QJsonDocument(headers).toJson(QJsonDocument::Compact)) });
}

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// An HS256 token made with Qt's own HMAC and any bytes as the key: python3-jose rightly refuses
// to use a PEM public key as an HMAC secret, which is exactly the forgery to try here.
QByteArray hmacToken(const QJsonObject &claims, const QByteArray &key)
{
    const QByteArray input = base64Url(R"({"alg":"HS256","typ":"JWT"})") + '.'
        + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return input + '.' + base64Url(QMessageAuthenticationCode::hash(input, key, QCryptographicHash::Sha256));
}

} // namespace

class TestJwtAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void independentTokensPass_data();
    void independentTokensPass();
    void gatehouseTokensVerifyInPythonJose();
    void gatehouseTokensPassEveryAlgorithm_data();
    void gatehouseTokensPassEveryAlgorithm();
    void attacksFail_data();
    void attacksFail();
    void claimHeadersCannotBeSpoofed();
    void requireGives403();
    void cookieAndQuerySources();
    void checkAndTokenReportProblems();
    void weakHmacSecretsAreRefused();
    void jwksFromUrlRetriesAndFollowsRotation();

private:
    QByteArray get(const QString &path, const QList<std::pair<QByteArray, QByteArray>> &headers, QnamResult *result);
    QJsonObject logLineFor(const QByteArray &requestId);

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
    std::unique_ptr<GatehouseProcess> m_gateway;
    QString m_profilePath;
    QString m_logPath;
    QNetworkAccessManager m_manager;
    PemPair m_rsa;
    PemPair m_ec;
    PemPair m_ed;
};

void TestJwtAuth::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_echo.startEcho(QStringLiteral("echo")), m_echo.stderrText().constData());
    m_rsa = generateKeyPair(m_dir, QStringLiteral("RSA"));
    m_ec = generateKeyPair(m_dir, QStringLiteral("P-256"));
    m_ed = generateKeyPair(m_dir, QStringLiteral("ED25519"));
    QVERIFY(!m_rsa.publicPem.isEmpty() && !m_ec.publicPem.isEmpty() && !m_ed.publicPem.isEmpty());
    writeFile(m_dir, QStringLiteral("hs.secret"), kSecret + '\n'); // the trailing newline is dropped
    // The ES256 key set, written by python3-jose from the PEM.
    const QByteArray jwk = python("import sys, json\nfrom jose import jwk\n"
                                  "k = jwk.construct(open(sys.argv[1]).read(), 'ES256').to_dict()\n"
                                  "k.update(kid='k1', use='sig')\nprint(json.dumps({'keys': [k]}))",
                                  { m_ec.publicPath });
    QVERIFY(!jwk.isEmpty());
    writeFile(m_dir, QStringLiteral("es.jwks"), jwk);

    QByteArray profile = R"(gatehouse: 1
name: jwt
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: echo
    targets: [{ url: "http://127.0.0.1:@A@" }]
routes:
  - { name: public, match: { path: /public }, upstream: echo }
  - { name: hs, match: { path: /hs }, upstream: echo, auth: hs-jwt }
  - { name: admin, match: { path: /admin }, upstream: echo, auth: hs-jwt, require: { roles: admin } }
  - { name: rs, match: { path: /rs }, upstream: echo, auth: rs-jwt }
  - { name: es, match: { path: /es }, upstream: echo, auth: es-jwt }
  - { name: ed, match: { path: /ed }, upstream: echo, auth: ed-jwt }
  - { name: cookie, match: { path: /cookie }, upstream: echo, auth: cookie-jwt }
  - { name: mock, match: { path: /mock }, respond: { status: 200, body: mocked }, auth: hs-jwt }
jwt:
  - name: hs-jwt
    algorithms: [HS256, HS384, HS512]
    secret: file:hs.secret
    issuer: https://auth.test
    audience: [shop-api, other-api]
    leeway: 5s
    claims_to_headers: { sub: X-User-ID, roles: X-User-Roles }
  - name: rs-jwt
    algorithms: [RS256, RS384, RS512, PS256, PS384, PS512]
    public_key: file:RSA-public.pem
    private_key: file:RSA-private.pem
  - name: es-jwt
    algorithms: [ES256]
    jwks: file:es.jwks
  - name: ed-jwt
    algorithms: [EdDSA]
    public_key: file:ED25519-public.pem
    private_key: file:ED25519-private.pem
  - name: cookie-jwt
    algorithms: [HS256]
    secret: file:hs.secret
    token_from: [cookie:access_token, query:access_token]
)";
    profile.replace("@A@", portOf(m_echo));
    m_profilePath = writeFile(m_dir, QStringLiteral("jwt.yaml"), profile);
    m_logPath = m_dir.filePath(QStringLiteral("jwt.jsonl"));
    m_gateway = std::make_unique<GatehouseProcess>();
    QVERIFY2(startServeWithAccessLog(*m_gateway, m_profilePath, m_logPath), m_gateway->stderrText().constData());
}

void TestJwtAuth::cleanupTestCase()
{
    if (m_gateway) {
        m_gateway->terminate();
    }
    m_echo.terminate();
}

QByteArray TestJwtAuth::get(const QString &path, const QList<std::pair<QByteArray, QByteArray>> &headers, QnamResult *result)
{
    *result = qnam(m_manager, "GET", m_gateway->url() + path, headers);
    return result->header("x-request-id");
}

QJsonObject TestJwtAuth::logLineFor(const QByteArray &requestId)
{
    // The gateway writes its log in batches every 200 ms.
    for (int waited = 0; waited < 5000; waited += 50) {
        const QJsonObject found = byRequestId(readAccessLog(m_logPath)).value(QString::fromLatin1(requestId));
        if (!found.isEmpty()) {
            return found;
        }
        QTest::qWait(50);
    }
    return {};
}

void TestJwtAuth::independentTokensPass_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("algorithm");
    QTest::addColumn<QJsonObject>("headers");
    QTest::newRow("HS256") << QStringLiteral("/hs") << QStringLiteral("hs.secret") << QByteArray("HS256") << QJsonObject();
    QTest::newRow("HS512") << QStringLiteral("/hs") << QStringLiteral("hs.secret") << QByteArray("HS512") << QJsonObject();
    QTest::newRow("RS256") << QStringLiteral("/rs") << QStringLiteral("RSA-private.pem") << QByteArray("RS256") << QJsonObject();
    QTest::newRow("RS512") << QStringLiteral("/rs") << QStringLiteral("RSA-private.pem") << QByteArray("RS512") << QJsonObject();
    QTest::newRow("ES256 with kid") << QStringLiteral("/es") << QStringLiteral("P-256-private.pem") << QByteArray("ES256")
                                    << QJsonObject { { QStringLiteral("kid"), QStringLiteral("k1") } };
}

void TestJwtAuth::independentTokensPass()
{
    QFETCH(QString, path);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, algorithm);
    QFETCH(QJsonObject, headers);
    // hs.secret holds a trailing newline python would sign with; sign with the bare secret.
    const QString key = keyFile == u"hs.secret" ? writeFile(m_dir, QStringLiteral("hs-bare.secret"), kSecret) : m_dir.filePath(keyFile);
    const QJsonObject claims { { QStringLiteral("sub"), QStringLiteral("user-42") },
                               { QStringLiteral("iss"), QStringLiteral("https://auth.test") },
                               { QStringLiteral("aud"), QStringLiteral("other-api") },
                               { QStringLiteral("exp"), now() + 300 } };
    const QByteArray token = joseToken(claims, key, algorithm.constData(), headers);
    QVERIFY(!token.isEmpty());
    QnamResult result;
    const QByteArray requestId = get(path, { { "Authorization", "Bearer " + token } }, &result);
    QCOMPARE(result.status, 200);
    QCOMPARE(field(result.body, "name"), QStringLiteral("echo"));
    const QJsonObject line = logLineFor(requestId);
    QCOMPARE(line.value(u"auth").toString(), QStringLiteral("ok"));
    QCOMPARE(line.value(u"consumer").toString(), QStringLiteral("user-42"));
}

void TestJwtAuth::gatehouseTokensVerifyInPythonJose()
{
    QByteArray token;
    QVERIFY(GatehouseProcess::run({ QStringLiteral("token"), m_profilePath, QStringLiteral("--jwt"), QStringLiteral("hs-jwt"),
                                    QStringLiteral("--claim"), QStringLiteral("sub=alice"), QStringLiteral("--ttl"),
                                    QStringLiteral("10m") },
                                  &token)
            == 0);
    token = token.trimmed();
    const QString bare = writeFile(m_dir, QStringLiteral("hs-bare.secret"), kSecret);
    const QByteArray claims = python("import sys, json\nfrom jose import jwt\n"
                                     "print(json.dumps(jwt.decode(sys.argv[1], open(sys.argv[2]).read(), algorithms=['HS256'], "
                                     "audience='shop-api', issuer='https://auth.test')))",
                                     { QString::fromLatin1(token), bare });
    QVERIFY2(!claims.isEmpty(), token.constData());
    const QJsonObject decoded = json(claims);
    QCOMPARE(decoded.value(u"sub").toString(), QStringLiteral("alice"));
    const qint64 ttl = qint64(decoded.value(u"exp").toDouble() - decoded.value(u"iat").toDouble());
    QCOMPARE(ttl, qint64(600));
}

void TestJwtAuth::gatehouseTokensPassEveryAlgorithm_data()
{
    QTest::addColumn<QString>("jwt");
    QTest::addColumn<QString>("algorithm");
    QTest::addColumn<QString>("path");
    for (const char *alg : { "HS256", "HS384", "HS512" }) {
        QTest::newRow(alg) << QStringLiteral("hs-jwt") << QString::fromLatin1(alg) << QStringLiteral("/hs");
    }
    for (const char *alg : { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" }) {
        QTest::newRow(alg) << QStringLiteral("rs-jwt") << QString::fromLatin1(alg) << QStringLiteral("/rs");
    }
    QTest::newRow("EdDSA") << QStringLiteral("ed-jwt") << QStringLiteral("EdDSA") << QStringLiteral("/ed");
}

void TestJwtAuth::gatehouseTokensPassEveryAlgorithm()
{
    QFETCH(QString, jwt);
    QFETCH(QString, algorithm);
    QFETCH(QString, path);
    QByteArray token;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), m_profilePath, QStringLiteral("--jwt"), jwt, QStringLiteral("--alg"),
                                     algorithm },
                                   &token, &err),
             0);
    QnamResult result;
    get(path, { { "Authorization", "Bearer " + token.trimmed() } }, &result);
    QCOMPARE(result.status, 200);
}

void TestJwtAuth::attacksFail_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("description");
    QTest::addColumn<QByteArray>("logged");

    const QString bare = writeFile(m_dir, QStringLiteral("hs-bare.secret"), kSecret);
    const QJsonObject good { { QStringLiteral("sub"), QStringLiteral("user-1") },
                             { QStringLiteral("iss"), QStringLiteral("https://auth.test") },
                             { QStringLiteral("aud"), QStringLiteral("shop-api") },
                             { QStringLiteral("exp"), now() + 300 } };
    const auto with = [&good](const char *name, QJsonValue value) {
        QJsonObject claims = good;
        claims.insert(QLatin1String(name), value);
        return claims;
    };
    const QByteArray valid = joseToken(good, bare, "HS256");
    const QList<QByteArray> parts = valid.split('.');

    QTest::newRow("alg none") << QStringLiteral("/hs")
                              << base64Url(R"({"alg":"none","typ":"JWT"})") + '.' + parts[1] + '.' + base64Url("x")
                              << QByteArray("algorithm not allowed") << QByteArray("algorithm_not_allowed");
    // Algorithm confusion: HS256 keyed with the RS256 route's public key.
    QTest::newRow("RSA public key as HMAC secret") << QStringLiteral("/rs") << hmacToken(good, m_rsa.publicPem)
                                                   << QByteArray("algorithm not allowed") << QByteArray("algorithm_not_allowed");
    QTest::newRow("stripped signature") << QStringLiteral("/hs") << parts[0] + '.' + parts[1] + '.'
                                        << QByteArray("malformed token") << QByteArray("malformed");
    QTest::newRow("tampered payload") << QStringLiteral("/hs")
                                      << parts[0] + '.' + base64Url(QJsonDocument(with("sub", QStringLiteral("admin"))).toJson(QJsonDocument::Compact)) + '.' + parts[2]
                                      << QByteArray("bad signature") << QByteArray("bad_signature");
    QTest::newRow("wrong key") << QStringLiteral("/hs") << hmacToken(good, "another-secret")
                               << QByteArray("bad signature") << QByteArray("bad_signature");
    QTest::newRow("unknown kid") << QStringLiteral("/es")
                                 << joseToken(good, m_ec.privatePath, "ES256", { { QStringLiteral("kid"), QStringLiteral("k2") } })
                                 << QByteArray("unknown key id") << QByteArray("unknown_kid");
    QTest::newRow("expired beyond leeway") << QStringLiteral("/hs") << joseToken(with("exp", now() - 60), bare, "HS256")
                                           << QByteArray("token expired") << QByteArray("expired");
    QTest::newRow("not yet valid") << QStringLiteral("/hs") << joseToken(with("nbf", now() + 600), bare, "HS256")
                                   << QByteArray("not yet valid") << QByteArray("not_yet_valid");
    QTest::newRow("wrong issuer") << QStringLiteral("/hs") << joseToken(with("iss", QStringLiteral("https://evil.test")), bare, "HS256")
                                  << QByteArray("wrong issuer") << QByteArray("wrong_issuer");
    QTest::newRow("wrong audience") << QStringLiteral("/hs") << joseToken(with("aud", QStringLiteral("billing")), bare, "HS256")
                                    << QByteArray("wrong audience") << QByteArray("wrong_audience");
    QTest::newRow("respond route is protected too") << QStringLiteral("/mock") << QByteArray("a.b.c")
                                                    << QByteArray("malformed token") << QByteArray("malformed");
    QTest::newRow("garbage") << QStringLiteral("/hs") << QByteArray("not-a-token") << QByteArray("malformed token")
                             << QByteArray("malformed");
    QTest::newRow("token only in the query") << QStringLiteral("/hs?access_token=") + QString::fromLatin1(valid) << QByteArray()
                                             << QByteArray() << QByteArray("missing_token");
}

void TestJwtAuth::attacksFail()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, description);
    QFETCH(QByteArray, logged);
    QnamResult result;
    QList<std::pair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty()) {
        headers.append({ "Authorization", "Bearer " + token });
    }
    const QByteArray requestId = get(path, headers, &result);
    QCOMPARE(result.status, 401);
    const QByteArray challenge = result.header("www-authenticate");
    if (description.isEmpty()) {
        QCOMPARE(challenge, QByteArray(R"(Bearer realm="gatehouse")"));
    } else {
        QVERIFY2(challenge.startsWith(R"(Bearer realm="gatehouse", error="invalid_token", error_description=")"), challenge.constData());
        QVERIFY2(challenge.contains(description), challenge.constData());
    }
    QCOMPARE(json(result.body).value(u"request_id").toString(), QString::fromLatin1(requestId));
    const QJsonObject line = logLineFor(requestId);
    QCOMPARE(line.value(u"auth").toString(), QString::fromLatin1(logged));
    QCOMPARE(line.value(u"status").toInt(), 401);
    QVERIFY(upstreamNotAsked(line));
    // Neither the token nor the secret ever reaches the log or the answer.
    QVERIFY(!result.body.contains(kSecret));
    QFile log(m_logPath);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray logText = log.readAll();
    QVERIFY(!logText.contains(kSecret));
    const QByteArray signature = token.split('.').value(2);
    QVERIFY(signature.size() < 20 || !logText.contains(signature.left(20)));
}

void TestJwtAuth::claimHeadersCannotBeSpoofed()
{
    QnamResult result;
    get(QStringLiteral("/public"), { { "X-User-ID", "admin" }, { "x-user-roles", "admin" } }, &result);
    QCOMPARE(result.status, 200);
    QVERIFY(!seenHeaders(result.body).contains(u"x-user-id"));
    QVERIFY(!seenHeaders(result.body).contains(u"x-user-roles"));

    const QString bare = writeFile(m_dir, QStringLiteral("hs-bare.secret"), kSecret);
    const QByteArray token = joseToken({ { QStringLiteral("sub"), QStringLiteral("user-7") },
                                         { QStringLiteral("iss"), QStringLiteral("https://auth.test") },
                                         { QStringLiteral("aud"), QJsonArray { QStringLiteral("shop-api") } },
                                         { QStringLiteral("roles"), QJsonArray { QStringLiteral("dev"), QStringLiteral("qa") } } },
                                       bare, "HS256");
    get(QStringLiteral("/hs"), { { "Authorization", "Bearer " + token }, { "X-User-ID", "admin" }, { "X-USER-ID", "root" } }, &result);
    QCOMPARE(result.status, 200);
    QCOMPARE(seenHeader(result.body, "x-user-id"), QStringLiteral("user-7"));
    QCOMPARE(seenHeader(result.body, "x-user-roles"), QStringLiteral("dev,qa"));
}

void TestJwtAuth::requireGives403()
{
    const QString bare = writeFile(m_dir, QStringLiteral("hs-bare.secret"), kSecret);
    const auto tokenWithRoles = [&](QJsonArray roles) {
        return joseToken({ { QStringLiteral("sub"), QStringLiteral("u") },
                           { QStringLiteral("iss"), QStringLiteral("https://auth.test") },
                           { QStringLiteral("aud"), QStringLiteral("shop-api") },
                           { QStringLiteral("roles"), roles } },
                         bare, "HS256");
    };
    QnamResult result;
    const QByteArray denied = get(QStringLiteral("/admin"), { { "Authorization", "Bearer " + tokenWithRoles({ QStringLiteral("dev") }) } }, &result);
    QCOMPARE(result.status, 403);
    QCOMPARE(json(result.body).value(u"error").toString(), QStringLiteral("forbidden"));
    QCOMPARE(logLineFor(denied).value(u"auth").toString(), QStringLiteral("forbidden"));
    get(QStringLiteral("/admin"), { { "Authorization", "Bearer " + tokenWithRoles({ QStringLiteral("dev"), QStringLiteral("admin") }) } },
        &result);
    QCOMPARE(result.status, 200);
}

void TestJwtAuth::cookieAndQuerySources()
{
    const QString bare = writeFile(m_dir, QStringLiteral("hs-bare.secret"), kSecret);
    const QByteArray token = joseToken({ { QStringLiteral("sub"), QStringLiteral("cookie-user") } }, bare, "HS256");
    QnamResult result;
    get(QStringLiteral("/cookie"), { { "Cookie", "theme=dark; access_token=" + token + "; x=y" } }, &result);
    QCOMPARE(result.status, 200);
    const QByteArray fromQuery = get(QStringLiteral("/cookie?a=1&access_token=") + QString::fromLatin1(token), {}, &result);
    QCOMPARE(result.status, 200);
    // A token source is a credential: the access log shows the parameter, not its value (SPEC §7.1).
    QCOMPARE(logLineFor(fromQuery).value(u"path").toString(), QStringLiteral("/cookie?a=1&access_token=[redacted]"));
    QFile log(m_logPath);
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY(!log.readAll().contains(token));
    // The Authorization header is not one of this profile's sources.
    get(QStringLiteral("/cookie"), { { "Authorization", "Bearer " + token } }, &result);
    QCOMPARE(result.status, 401);
}

void TestJwtAuth::checkAndTokenReportProblems()
{
    QByteArray out;
    QByteArray err;
    const QString broken = writeFile(m_dir, QStringLiteral("broken.yaml"), R"(gatehouse: 1
listen: [{ bind: 127.0.0.1:0 }]
jwt:
  - name: rs
    algorithms: [RS256]
    public_key: file:missing.pem
  - name: env
    algorithms: [HS256]
    secret: env:GATEHOUSE_TEST_UNSET_SECRET
)");
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), broken }, &out, &err), 1);
    QVERIFY2(out.contains("broken.yaml:4:5: JWT profile 'rs': file:missing.pem:"), out.constData());
    // An environment variable belongs to where the profile runs: check leaves it to serve,
    // which refuses to start and names it.
    QVERIFY2(!out.contains("GATEHOUSE_TEST_UNSET_SECRET"), out.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), broken }, &out, &err), 1);
    QVERIFY2(err.contains("JWT profile 'env': env:GATEHOUSE_TEST_UNSET_SECRET: environment variable GATEHOUSE_TEST_UNSET_SECRET is not set"),
             err.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), m_profilePath }, &out, &err), 0);

    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), m_profilePath, QStringLiteral("--jwt"), QStringLiteral("es-jwt") }, &out, &err),
             2);
    QVERIFY2(err.contains("has no private_key"), err.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), m_profilePath, QStringLiteral("--jwt"), QStringLiteral("nope") }, &out, &err),
             1);
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), m_profilePath, QStringLiteral("--jwt"), QStringLiteral("hs-jwt"),
                                     QStringLiteral("--alg"), QStringLiteral("RS256") },
                                   &out, &err),
             1);
    QVERIFY2(err.contains("does not accept RS256"), err.constData());
    // A secret never shows up in what the tools print.
    QVERIFY(!err.contains(kSecret) && !out.contains(kSecret));
}

void TestJwtAuth::weakHmacSecretsAreRefused()
{
    // RFC 7518 §3.2: an HS* key at least as long as the hash, so the longest listed HS
    // algorithm sets the bar. `check` reports what it can resolve (file:, a set env:); the
    // engine refuses to load the profile whatever the reference (serve, reload, the app).
    writeFile(m_dir, QStringLiteral("short.secret"), QByteArray(31, 'k'));
    writeFile(m_dir, QStringLiteral("exact.secret"), QByteArray(32, 'k') + '\n'); // the newline is not part of it
    writeFile(m_dir, QStringLiteral("forty.secret"), QByteArray(40, 'k'));
    const auto profileWith = [this](const char *name, const QByteArray &jwt) {
        return writeFile(m_dir, QString::fromLatin1(name), "gatehouse: 1\nlisten: [{ bind: 127.0.0.1:0 }]\njwt:\n" + jwt);
    };
    QByteArray out;
    QByteArray err;
    const QString shortFile = profileWith("weak-file.yaml", "  - { name: weak, algorithms: [HS256], secret: file:short.secret }\n");
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), shortFile }, &out, &err), 1);
    QVERIFY2(out.contains("weak-file.yaml:4:5: JWT profile 'weak': file:short.secret is 31 bytes; HS256 needs a secret of at least "
                          "32 bytes (RFC 7518 §3.2"),
             out.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), profileWith("exact.yaml", "  - { name: ok, algorithms: [HS256], secret: file:exact.secret }\n") },
                                   &out, &err),
             0);
    const QString hs512 = profileWith("weak-512.yaml", "  - { name: wide, algorithms: [HS256, HS512], secret: file:forty.secret }\n");
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), hs512 }, &out, &err), 1);
    QVERIFY2(out.contains("file:forty.secret is 40 bytes; HS512 needs a secret of at least 64 bytes"), out.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), hs512 }, &out, &err), 1);
    QVERIFY2(err.contains("HS512 needs a secret of at least 64 bytes"), err.constData());

    // env: checked when set where `check` runs; `serve` refuses it either way, naming the reference.
    qputenv("GATEHOUSE_TEST_WEAK_SECRET", "only-twenty-bytes-xx");
    const QString fromEnv = profileWith("weak-env.yaml", "  - { name: env, algorithms: [HS384], secret: env:GATEHOUSE_TEST_WEAK_SECRET }\n");
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), fromEnv }, &out, &err), 1);
    QVERIFY2(out.contains("env:GATEHOUSE_TEST_WEAK_SECRET is 20 bytes; HS384 needs a secret of at least 48 bytes"), out.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), fromEnv }, &out, &err), 1);
    QVERIFY2(err.contains("JWT profile 'env': env:GATEHOUSE_TEST_WEAK_SECRET is 20 bytes"), err.constData());
    QVERIFY(!out.contains("only-twenty-bytes-xx") && !err.contains("only-twenty-bytes-xx"));
    qunsetenv("GATEHOUSE_TEST_WEAK_SECRET");
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), fromEnv }, &out, &err), 0); // unset here: left to serve
}

void TestJwtAuth::jwksFromUrlRetriesAndFollowsRotation()
{
    const auto keySet = [this](const PemPair &keys, const char *kid) {
        return python("import sys, json\nfrom jose import jwk\n"
                      "k = jwk.construct(open(sys.argv[1]).read(), 'ES256').to_dict()\n"
                      "k.update(kid=sys.argv[2])\nprint(json.dumps({'keys': [k]}))",
                      { keys.publicPath, QString::fromLatin1(kid) });
    };
    QTemporaryDir served;
    QVERIFY(served.isValid());
    writeFile(served, QStringLiteral("keys.json"), keySet(m_ec, "k1"));
    const quint16 port = deadPort();
    QByteArray profile = R"(gatehouse: 1
name: jwks-url
listen: [{ bind: 127.0.0.1:0 }]
routes:
  - { name: me, match: { path: /me }, respond: { status: 200, body: ok }, auth: remote }
jwt:
  - { name: remote, algorithms: [ES256], jwks: "http://127.0.0.1:@P@/keys.json" }
)";
    profile.replace("@P@", QByteArray::number(port));
    QString logPath;
    auto gateway = startGatewayWithLog(m_dir, QStringLiteral("jwks-url"), profile, &logPath);
    QVERIFY(gateway);
    const QJsonObject claims { { QStringLiteral("sub"), QStringLiteral("remote-user") }, { QStringLiteral("exp"), now() + 300 } };
    const QByteArray first = joseToken(claims, m_ec.privatePath, "ES256", { { QStringLiteral("kid"), QStringLiteral("k1") } });
    const auto statusOf = [&](const QByteArray &token, QByteArray *challenge = nullptr) {
        const QnamResult result = qnam(m_manager, "GET", gateway->url() + QStringLiteral("/me"), { { "Authorization", "Bearer " + token } });
        if (challenge) {
            *challenge = result.header("www-authenticate");
        }
        return result.status;
    };

    // The key server is not up yet: no keys, a clear 401, and the gateway keeps trying.
    QByteArray challenge;
    QCOMPARE(statusOf(first, &challenge), 401);
    QVERIFY2(challenge.contains("signing keys not available"), challenge.constData());
    QVERIFY(gateway->waitForStderr("cannot load the JWK Set", 5000));

    QProcess server;
    server.start(QStringLiteral("/usr/bin/python3"), { QStringLiteral("-m"), QStringLiteral("http.server"), QString::number(port),
                                                      QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--directory"),
                                                      served.path() });
    QVERIFY(server.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(first), 200, 15000);

    // The identity provider rotates to a new key: a token with the new kid is refused once as
    // unknown, which makes the gateway fetch the set again early.
    const PemPair rotated = generateKeyPair(served, QStringLiteral("P-256"));
    writeFile(served, QStringLiteral("keys.json"), keySet(rotated, "k2"));
    const QByteArray second = joseToken(claims, rotated.privatePath, "ES256", { { QStringLiteral("kid"), QStringLiteral("k2") } });
    QCOMPARE(statusOf(second, &challenge), 401);
    QVERIFY2(challenge.contains("unknown key id"), challenge.constData());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(second), 200, 20000);
    QCOMPARE(statusOf(first), 401); // the old key is gone from the set

    server.terminate();
    server.waitForFinished(5000);
    gateway->terminate();
}

QTEST_GUILESS_MAIN(TestJwtAuth)
#include "TestJwtAuth.moc"
