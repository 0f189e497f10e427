// JWT signatures and checks: the RFC 7515 / RFC 8037 published examples, keys and signatures
// from the openssl command-line tool, and the known attacks.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "JwtTestKeys.h"
#include "engine/auth/Base64Url.h"
#include "engine/auth/JwtKey.h"
#include "engine/auth/JwtKeyLoader.h"
#include "engine/auth/JwtMinter.h"
#include "engine/auth/JwtVerifier.h"

using namespace gatehouse::engine;
using gatehouse::test::PemPair;

namespace {

// RFC 7515 Appendix A: the payload every example signs, and the moment before its exp.
const QByteArray kRfcPayload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
                               "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr qint64 kRfcNow = 1300819000;

const char kRfcHmacJwk[] = R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";
const QByteArray kRfcHmacToken = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + kRfcPayload
    + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

const char kRfcRsaJwk[] = R"({"kty":"RSA","e":"AQAB","n":")"
                          "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-"
                          "SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-"
                          "KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-"
                          "DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\"}";
const QByteArray kRfcRsaToken = "eyJhbGciOiJSUzI1NiJ9." + kRfcPayload
    + ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9C"
      "UAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_"
      "dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0ig"
      "cN_IoypGlUPQGe77Rw";

const char kRfcEcJwk[] = R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                         R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
const QByteArray kRfcEcToken = "eyJhbGciOiJFUzI1NiJ9." + kRfcPayload
    + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 8037 A.4: Ed25519 over a payload that is a sentence, not claims.
const char kRfcEdJwk[] = R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
const QByteArray kRfcEdToken = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                               "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

JwtKey jwk(const char *json)
{
    QString error;
    const auto key = JwtKey::fromJwk(QJsonDocument::fromJson(json).object(), &error);
    if (!key) {
        qFatal("test JWK refused: %s", qPrintable(error));
    }
    return *key;
}

JwtVerifier verifierFor(const JwtKey &key, QList<JwtAlgorithm> algorithms, JwtRules rules = {})
{
    rules.algorithms = std::move(algorithms);
    return JwtVerifier(rules, std::make_shared<const JwtKeySet>(JwtKeySet { { key } }));
}

QByteArray part(const QJsonObject &object)
{
    return base64UrlEncode(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QByteArray unsignedToken(const QJsonObject &header, const QJsonObject &claims)
{
    return part(header) + '.' + part(claims);
}

// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (short-form lengths suffice for P-256/384),
// read here independently of the code under test.
QByteArray derToJose(const QByteArray &der, int size)
{
    QByteArray raw;
    int at = 2;
    for (int i = 0; i < 2; ++i) {
        const int length = static_cast<unsigned char>(der.at(at + 1));
        QByteArray integer = der.mid(at + 2, length);
        while (integer.size() > size && integer.startsWith('\0')) {
            integer.remove(0, 1);
        }
        raw += QByteArray(size - integer.size(), '\0') + integer;
        at += 2 + length;
    }
    return raw;
}

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void base64UrlIsStrict_data();
    void base64UrlIsStrict();
    void rfc7515HmacExample();
    void rfc7515RsaExample();
    void rfc7515EcdsaExample();
    void rfc8037Ed25519Example();
    void opensslSignaturesVerify_data();
    void opensslSignaturesVerify();
    void mintedTokensVerifyForEveryAlgorithm_data();
    void mintedTokensVerifyForEveryAlgorithm();
    void attacksFail();
    void algorithmConfusionFails();
    void timeClaims_data();
    void timeClaims();
    void issuerAndAudience_data();
    void issuerAndAudience();
    void jwksSelectsByKid();
    void badKeysAreRefusedWithReasons();

private:
    QTemporaryDir m_dir;
};

void TestJwt::base64UrlIsStrict_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::newRow("plain") << QByteArray("aGVsbG8") << true;
    QTest::newRow("url alphabet") << QByteArray("-_-_") << true;
    QTest::newRow("padding") << QByteArray("aGVsbG8=") << false;
    QTest::newRow("standard alphabet") << QByteArray("ab+/") << false;
    QTest::newRow("space") << QByteArray("aGVs bG8") << false;
    QTest::newRow("impossible length") << QByteArray("aGVsb") << false;
}

void TestJwt::base64UrlIsStrict()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QCOMPARE(base64UrlDecode(text).has_value(), ok);
}

void TestJwt::rfc7515HmacExample()
{
    const JwtVerifier verifier = verifierFor(jwk(kRfcHmacJwk), { JwtAlgorithm::HS256 });
    const JwtVerdict verdict = verifier.verify(kRfcHmacToken, kRfcNow);
    QVERIFY(verdict.ok());
    QCOMPARE(verdict.claims.value(u"iss").toString(), QStringLiteral("joe"));
    QCOMPARE(verdict.claims.value(u"http://example.com/is_root").toBool(), true);
    // The same signature one byte off, and the token after its exp.
    QByteArray tampered = kRfcHmacToken;
    tampered[tampered.size() - 2] = tampered.at(tampered.size() - 2) == 'A' ? 'B' : 'A';
    QCOMPARE(verifier.verify(tampered, kRfcNow).failure, JwtFailure::BadSignature);
    QCOMPARE(verifier.verify(kRfcHmacToken, 1300819380).failure, JwtFailure::Expired);
}

void TestJwt::rfc7515RsaExample()
{
    const JwtVerifier verifier = verifierFor(jwk(kRfcRsaJwk), { JwtAlgorithm::RS256 });
    QVERIFY(verifier.verify(kRfcRsaToken, kRfcNow).ok());
    // PS256 over the same key is another algorithm: the RS256 signature must not pass as PSS.
    const JwtVerifier pss = verifierFor(jwk(kRfcRsaJwk), { JwtAlgorithm::PS256 });
    QCOMPARE(pss.verify(kRfcRsaToken, kRfcNow).failure, JwtFailure::AlgorithmNotAllowed);
}

void TestJwt::rfc7515EcdsaExample()
{
    const JwtKey key = jwk(kRfcEcJwk);
    QCOMPARE(key.type(), JwtKeyType::EcP256);
    QVERIFY(verifierFor(key, { JwtAlgorithm::ES256 }).verify(kRfcEcToken, kRfcNow).ok());
}

void TestJwt::rfc8037Ed25519Example()
{
    const JwtKey key = jwk(kRfcEdJwk);
    const qsizetype lastDot = kRfcEdToken.lastIndexOf('.');
    const auto signature = base64UrlDecode(QByteArrayView(kRfcEdToken).sliced(lastDot + 1));
    QVERIFY(signature);
    QVERIFY(key.verify(JwtAlgorithm::EdDSA, kRfcEdToken.first(lastDot), *signature));
    QVERIFY(!key.verify(JwtAlgorithm::EdDSA, kRfcEdToken.first(lastDot) + "x", *signature));
    // Its payload is a sentence: the signature passes, and then the token is not a JWT.
    QCOMPARE(verifierFor(key, { JwtAlgorithm::EdDSA }).verify(kRfcEdToken, kRfcNow).failure, JwtFailure::Malformed);
}

void TestJwt::opensslSignaturesVerify_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<JwtAlgorithm>("algorithm");
    QTest::newRow("RS256") << QStringLiteral("RSA") << JwtAlgorithm::RS256;
    QTest::newRow("ES256") << QStringLiteral("P-256") << JwtAlgorithm::ES256;
    QTest::newRow("ES384") << QStringLiteral("P-384") << JwtAlgorithm::ES384;
    QTest::newRow("EdDSA") << QStringLiteral("ED25519") << JwtAlgorithm::EdDSA;
}

void TestJwt::opensslSignaturesVerify()
{
    QFETCH(QString, kind);
    QFETCH(JwtAlgorithm, algorithm);
    const PemPair keys = gatehouse::test::generateKeyPair(m_dir, kind);
    QVERIFY(!keys.publicPem.isEmpty());
    QString error;
    const auto publicKey = JwtKey::fromPem(keys.publicPem, &error);
    QVERIFY2(publicKey, qPrintable(error));
    QVERIFY(!publicKey->canSign());

    const QByteArray input = unsignedToken({ { QStringLiteral("alg"), QString::fromLatin1(jwtAlgorithmName(algorithm)) } },
                                           { { QStringLiteral("sub"), QStringLiteral("user-7") } });
    QByteArray signature = gatehouse::test::opensslSign(keys, kind, input);
    QVERIFY(!signature.isEmpty());
    const bool ecdsa = kind.startsWith(u"P-");
    if (ecdsa) {
        // openssl writes DER; JOSE wants r||s. The DER form itself must be refused.
        QVERIFY(!publicKey->verify(algorithm, input, signature));
        signature = derToJose(signature, kind == u"P-384" ? 48 : 32);
    }
    const QByteArray token = input + '.' + base64UrlEncode(signature);
    const JwtVerdict verdict = verifierFor(*publicKey, { algorithm }).verify(token, kRfcNow);
    QCOMPARE(verdict.failure, JwtFailure::None);
    QCOMPARE(verdict.claims.value(u"sub").toString(), QStringLiteral("user-7"));
}

void TestJwt::mintedTokensVerifyForEveryAlgorithm_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<JwtAlgorithm>("algorithm");
    const QList<std::pair<JwtAlgorithm, QString>> cases {
        { JwtAlgorithm::HS256, QString() },       { JwtAlgorithm::HS384, QString() },
        { JwtAlgorithm::HS512, QString() },       { JwtAlgorithm::RS256, QStringLiteral("RSA") },
        { JwtAlgorithm::RS384, QStringLiteral("RSA") }, { JwtAlgorithm::RS512, QStringLiteral("RSA") },
        { JwtAlgorithm::PS256, QStringLiteral("RSA") }, { JwtAlgorithm::PS384, QStringLiteral("RSA") },
        { JwtAlgorithm::PS512, QStringLiteral("RSA") }, { JwtAlgorithm::ES256, QStringLiteral("P-256") },
        { JwtAlgorithm::ES384, QStringLiteral("P-384") }, { JwtAlgorithm::EdDSA, QStringLiteral("ED25519") },
    };
    for (const auto &[algorithm, kind] : cases) {
        QTest::newRow(jwtAlgorithmName(algorithm).constData()) << kind << algorithm;
    }
}

void TestJwt::mintedTokensVerifyForEveryAlgorithm()
{
    QFETCH(QString, kind);
    QFETCH(JwtAlgorithm, algorithm);
    std::optional<JwtKey> signing;
    std::optional<JwtKey> verifying;
    QString error;
    if (kind.isEmpty()) {
        signing = verifying = JwtKey::fromSecret("a-test-secret-of-32-bytes-length");
    } else {
        const PemPair keys = gatehouse::test::generateKeyPair(m_dir, kind);
        signing = JwtKey::fromPem(keys.privatePem, &error);
        verifying = JwtKey::fromPem(keys.publicPem, &error);
    }
    QVERIFY2(signing && verifying, qPrintable(error));
    QVERIFY(signing->canSign());
    const QJsonObject claims { { QStringLiteral("sub"), QStringLiteral("alice") }, { QStringLiteral("exp"), kRfcNow + 60 } };
    const auto token = mintJwt(*signing, algorithm, claims);
    QVERIFY(token);
    const JwtVerifier verifier = verifierFor(*verifying, { algorithm });
    QCOMPARE(verifier.verify(*token, kRfcNow).failure, JwtFailure::None);
    // The same claims re-signed by nobody: payload swapped under the old signature.
    const QByteArray forged = token->first(token->indexOf('.') + 1)
        + part({ { QStringLiteral("sub"), QStringLiteral("admin") }, { QStringLiteral("exp"), kRfcNow + 60 } })
        + token->sliced(token->lastIndexOf('.'));
    QCOMPARE(verifier.verify(forged, kRfcNow).failure, JwtFailure::BadSignature);
}

void TestJwt::attacksFail()
{
    const JwtKey key = JwtKey::fromSecret("a-test-secret-of-32-bytes-length");
    const JwtVerifier verifier = verifierFor(key, { JwtAlgorithm::HS256 });
    const QJsonObject claims { { QStringLiteral("sub"), QStringLiteral("mallory") } };
    const QByteArray good = *mintJwt(key, JwtAlgorithm::HS256, claims);
    QVERIFY(verifier.verify(good, kRfcNow).ok());

    const QByteArray none = unsignedToken({ { QStringLiteral("alg"), QStringLiteral("none") } }, claims);
    QCOMPARE(verifier.verify(none + '.', kRfcNow).failure, JwtFailure::Malformed);
    QCOMPARE(verifier.verify(none + ".AAAA", kRfcNow).failure, JwtFailure::AlgorithmNotAllowed);
    const QByteArray noneCased = unsignedToken({ { QStringLiteral("alg"), QStringLiteral("None") } }, claims);
    QCOMPARE(verifier.verify(noneCased + ".AAAA", kRfcNow).failure, JwtFailure::AlgorithmNotAllowed);
    // Stripped signature, extra parts, empty and oversized tokens.
    QCOMPARE(verifier.verify(good.first(good.lastIndexOf('.') + 1), kRfcNow).failure, JwtFailure::Malformed);
    QCOMPARE(verifier.verify(good.first(good.lastIndexOf('.')), kRfcNow).failure, JwtFailure::Malformed);
    QCOMPARE(verifier.verify(good + ".x", kRfcNow).failure, JwtFailure::Malformed);
    QCOMPARE(verifier.verify("", kRfcNow).failure, JwtFailure::Malformed);
    QCOMPARE(verifier.verify(QByteArray(20000, 'a'), kRfcNow).failure, JwtFailure::Malformed);
    // An algorithm the profile does not list, even one the key could do.
    const QByteArray hs512 = *mintJwt(key, JwtAlgorithm::HS512, claims);
    QCOMPARE(verifier.verify(hs512, kRfcNow).failure, JwtFailure::AlgorithmNotAllowed);
    // A header that demands an extension we do not implement.
    QJsonObject critical { { QStringLiteral("alg"), QStringLiteral("HS256") },
                           { QStringLiteral("crit"), QJsonArray { QStringLiteral("exp") } } };
    const QByteArray critInput = unsignedToken(critical, claims);
    const QByteArray critToken = critInput + '.' + base64UrlEncode(*key.sign(JwtAlgorithm::HS256, critInput));
    QCOMPARE(verifier.verify(critToken, kRfcNow).failure, JwtFailure::Malformed);
    // Payload that is not JSON, under a valid signature.
    const QByteArray junkInput = part({ { QStringLiteral("alg"), QStringLiteral("HS256") } }) + '.' + base64UrlEncode("[1,2]");
    const QByteArray junk = junkInput + '.' + base64UrlEncode(*key.sign(JwtAlgorithm::HS256, junkInput));
    QCOMPARE(verifier.verify(junk, kRfcNow).failure, JwtFailure::Malformed);
    // No keys at all (a JWKS not fetched yet).
    const JwtVerifier keyless(JwtRules { { JwtAlgorithm::HS256 }, {}, {}, 0 }, nullptr);
    QCOMPARE(keyless.verify(good, kRfcNow).failure, JwtFailure::KeysUnavailable);
}

void TestJwt::algorithmConfusionFails()
{
    // The classic attack: sign HS256 with the server's RSA *public* key as the HMAC secret.
    const PemPair keys = gatehouse::test::generateKeyPair(m_dir, QStringLiteral("RSA"));
    QString error;
    const auto publicKey = JwtKey::fromPem(keys.publicPem, &error);
    QVERIFY(publicKey);
    const QByteArray confused = *mintJwt(JwtKey::fromSecret(keys.publicPem), JwtAlgorithm::HS256,
                                         { { QStringLiteral("sub"), QStringLiteral("admin") } });
    QCOMPARE(verifierFor(*publicKey, { JwtAlgorithm::RS256 }).verify(confused, kRfcNow).failure,
             JwtFailure::AlgorithmNotAllowed);
    // Even with HS256 allowed, an RSA key is never an HMAC secret.
    QCOMPARE(verifierFor(*publicKey, { JwtAlgorithm::RS256, JwtAlgorithm::HS256 }).verify(confused, kRfcNow).failure,
             JwtFailure::UnknownKey);
    QVERIFY(!publicKey->verify(JwtAlgorithm::HS256, "a.b", "c"));
}

void TestJwt::timeClaims_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<qint64>("leeway");
    QTest::addColumn<JwtFailure>("failure");
    const qint64 now = kRfcNow;
    const auto at = [](const char *name, QJsonValue value) { return QJsonObject { { QLatin1String(name), value } }; };
    QTest::newRow("exp in future") << at("exp", now + 1) << qint64(0) << JwtFailure::None;
    QTest::newRow("exp now") << at("exp", now) << qint64(0) << JwtFailure::Expired;
    QTest::newRow("exp past, within leeway") << at("exp", now - 20) << qint64(30) << JwtFailure::None;
    QTest::newRow("exp past, beyond leeway") << at("exp", now - 31) << qint64(30) << JwtFailure::Expired;
    QTest::newRow("exp as text") << at("exp", QStringLiteral("9999999999")) << qint64(0) << JwtFailure::Malformed;
    QTest::newRow("exp huge") << at("exp", 1e300) << qint64(0) << JwtFailure::Malformed;
    QTest::newRow("nbf future") << at("nbf", now + 10) << qint64(0) << JwtFailure::NotYetValid;
    QTest::newRow("nbf future, within leeway") << at("nbf", now + 10) << qint64(30) << JwtFailure::None;
    QTest::newRow("nbf past") << at("nbf", now - 10) << qint64(0) << JwtFailure::None;
    QTest::newRow("iat future") << at("iat", now + 3600) << qint64(30) << JwtFailure::IssuedInFuture;
    QTest::newRow("iat past") << at("iat", now - 3600) << qint64(0) << JwtFailure::None;
}

void TestJwt::timeClaims()
{
    QFETCH(QJsonObject, claims);
    QFETCH(qint64, leeway);
    QFETCH(JwtFailure, failure);
    const JwtKey key = JwtKey::fromSecret("a-test-secret-of-32-bytes-length");
    JwtRules rules;
    rules.leewaySeconds = leeway;
    QCOMPARE(verifierFor(key, { JwtAlgorithm::HS256 }, rules).verify(*mintJwt(key, JwtAlgorithm::HS256, claims), kRfcNow).failure,
             failure);
}

void TestJwt::issuerAndAudience_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<JwtFailure>("failure");
    const QString iss = QStringLiteral("https://auth.shop.test");
    QTest::newRow("both right") << QJsonObject { { QStringLiteral("iss"), iss }, { QStringLiteral("aud"), QStringLiteral("shop-api") } }
                                << JwtFailure::None;
    QTest::newRow("aud array") << QJsonObject { { QStringLiteral("iss"), iss },
                                                { QStringLiteral("aud"), QJsonArray { QStringLiteral("x"), QStringLiteral("shop-api") } } }
                               << JwtFailure::None;
    QTest::newRow("wrong iss") << QJsonObject { { QStringLiteral("iss"), QStringLiteral("https://evil.test") },
                                                { QStringLiteral("aud"), QStringLiteral("shop-api") } }
                               << JwtFailure::WrongIssuer;
    QTest::newRow("no iss") << QJsonObject { { QStringLiteral("aud"), QStringLiteral("shop-api") } } << JwtFailure::WrongIssuer;
    QTest::newRow("wrong aud") << QJsonObject { { QStringLiteral("iss"), iss }, { QStringLiteral("aud"), QStringLiteral("other") } }
                               << JwtFailure::WrongAudience;
    QTest::newRow("aud array without ours") << QJsonObject { { QStringLiteral("iss"), iss },
                                                             { QStringLiteral("aud"), QJsonArray { QStringLiteral("x") } } }
                                            << JwtFailure::WrongAudience;
    QTest::newRow("no aud") << QJsonObject { { QStringLiteral("iss"), iss } } << JwtFailure::WrongAudience;
}

void TestJwt::issuerAndAudience()
{
    QFETCH(QJsonObject, claims);
    QFETCH(JwtFailure, failure);
    const JwtKey key = JwtKey::fromSecret("a-test-secret-of-32-bytes-length");
    JwtRules rules;
    rules.issuer = QStringLiteral("https://auth.shop.test");
    rules.audience = { QStringLiteral("shop-api") };
    QCOMPARE(verifierFor(key, { JwtAlgorithm::HS256 }, rules).verify(*mintJwt(key, JwtAlgorithm::HS256, claims), kRfcNow).failure,
             failure);
}

void TestJwt::jwksSelectsByKid()
{
    const QByteArray jwks = QByteArray(R"({"keys":[)") + R"({"kty":"RSA","use":"enc","kid":"enc-1","e":"AQAB","n":"AQAB"},)"
        + QByteArray(kRfcEcJwk).replace("{", R"({"kid":"ec-1",)") + ","
        + QByteArray(kRfcRsaJwk).replace("{", R"({"kid":"rsa-1","alg":"RS256",)") + "]}";
    QString error;
    const auto set = parseJwks(jwks, &error);
    QVERIFY2(set, qPrintable(error));
    QCOMPARE(set->keys.size(), 2); // the encryption key is skipped
    const JwtVerifier verifier(JwtRules { { JwtAlgorithm::RS256, JwtAlgorithm::ES256 }, {}, {}, 0 }, set);

    const auto withKid = [](const QByteArray &token, const char *kid) {
        const qsizetype dot = token.indexOf('.');
        QJsonObject header = QJsonDocument::fromJson(*base64UrlDecode(QByteArrayView(token).first(dot))).object();
        header.insert(QStringLiteral("kid"), QLatin1String(kid));
        return part(header) + token.sliced(dot);
    };
    QVERIFY(verifier.verify(kRfcRsaToken, kRfcNow).ok()); // no kid: every fitting key is tried
    QVERIFY(verifier.verify(kRfcEcToken, kRfcNow).ok());
    // A kid changes the protected header, so these re-signed-by-nobody tokens fail — but for the
    // reason that matters: an unknown kid is reported as such, a known one reaches the signature.
    QCOMPARE(verifier.verify(withKid(kRfcRsaToken, "nope"), kRfcNow).failure, JwtFailure::UnknownKey);
    QCOMPARE(verifier.verify(withKid(kRfcRsaToken, "rsa-1"), kRfcNow).failure, JwtFailure::BadSignature);
    QCOMPARE(verifier.verify(withKid(kRfcRsaToken, "ec-1"), kRfcNow).failure, JwtFailure::UnknownKey);

    QVERIFY(!parseJwks(R"({"keys":[]})", &error));
    QVERIFY(error.contains(u"no usable signing key"));
    QVERIFY(!parseJwks("not json", &error));
}

void TestJwt::badKeysAreRefusedWithReasons()
{
    QString error;
    QVERIFY(!JwtKey::fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", &error));
    QVERIFY(error.contains(u"PEM"));
    QVERIFY(!JwtKey::fromJwk(QJsonDocument::fromJson(R"({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"})").object(), &error));
    QVERIFY(error.contains(u"32 bytes"));
    // A point of the right size that is not on the curve.
    const QByteArray offCurve = R"({"kty":"EC","crv":"P-256","x":")" + base64UrlEncode(QByteArray(32, '\1')) + R"(","y":")"
        + base64UrlEncode(QByteArray(32, '\2')) + R"("})";
    QVERIFY(!JwtKey::fromJwk(QJsonDocument::fromJson(offCurve).object(), &error));
    QVERIFY(error.contains(u"not on"));
    QVERIFY(!JwtKey::fromJwk(QJsonDocument::fromJson(R"({"kty":"EC","crv":"P-521","x":"AA","y":"AA"})").object(), &error));
    QVERIFY(!JwtKey::fromJwk(QJsonDocument::fromJson(QByteArray(kRfcEcJwk).replace("{", R"({"alg":"RS256",)")).object(), &error));
    QVERIFY(error.contains(u"does not fit"));
    // 1024-bit RSA is below RFC 7518's minimum.
    QTemporaryDir dir;
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), { QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("RSA"),
                                               QStringLiteral("-pkeyopt"), QStringLiteral("rsa_keygen_bits:1024") });
    QVERIFY(openssl.waitForFinished(30000));
    QVERIFY(!JwtKey::fromPem(openssl.readAllStandardOutput(), &error));
    QVERIFY(error.contains(u"2048"));
}

QTEST_GUILESS_MAIN(TestJwt)
#include "TestJwt.moc"
