// JWT verification, JWK Set parsing and base64url on arbitrary input.
//
// Input: TOKEN [ '\n' JWKS ]. The token goes to verifiers built once on fixed HS256, RS256 and
// ES256 keys (FuzzKeys.h); a JWKS document after the first newline is parsed, and when it holds
// keys, the token is verified against those as well.
// Checked: an accepted token passes the claim checks and names an allowed algorithm; no HMAC
// algorithm ever verifies with an RSA or EC key (algorithm confusion); a verdict is the same
// twice; a claim never becomes a header value with control bytes; a JWK Set either has keys or
// says why not; base64url round-trips; revocation ids have one of the two documented forms.

#include "FuzzCheck.h"
#include "FuzzKeys.h"

#include <cstddef>
#include <cstdint>
#include <memory>

#include <QJsonDocument>

#include "engine/auth/Base64Url.h"
#include "engine/auth/Claims.h"
#include "engine/auth/JwtKeyLoader.h"
#include "engine/auth/JwtVerifier.h"
#include "engine/auth/RevocationList.h"

using namespace gatehouse::engine;
using gatehouse::fuzz::check;

namespace {

constexpr qint64 kNow = 1'700'000'000; // the seeds' tokens are valid around this time
const QList<JwtAlgorithm> kAllAlgorithms { JwtAlgorithm::HS256, JwtAlgorithm::HS384, JwtAlgorithm::HS512,
                                           JwtAlgorithm::RS256, JwtAlgorithm::RS384, JwtAlgorithm::RS512,
                                           JwtAlgorithm::PS256, JwtAlgorithm::PS384, JwtAlgorithm::PS512,
                                           JwtAlgorithm::ES256, JwtAlgorithm::ES384, JwtAlgorithm::EdDSA };

JwtKey pemKey(const char *pem)
{
    QString error;
    const std::optional<JwtKey> key = JwtKey::fromPem(QByteArrayView(pem), &error);
    check(key.has_value(), "the fixed PEM keys load");
    return *key;
}

struct Fixture
{
    JwtKey hmac = JwtKey::fromSecret(gatehouse::fuzz::keys::kHmacSecret);
    JwtKey rsa = pemKey(gatehouse::fuzz::keys::kRsaPublicPem);
    JwtKey ec = pemKey(gatehouse::fuzz::keys::kEcPublicPem);
    // What a profile with issuer, audience and leeway builds.
    JwtVerifier strict { JwtRules { { JwtAlgorithm::HS256, JwtAlgorithm::RS256, JwtAlgorithm::ES256 },
                                    QStringLiteral("https://issuer.fuzz"), { QStringLiteral("fuzz-api") }, 30 },
                         std::make_shared<JwtKeySet>(JwtKeySet { { hmac, rsa, ec } }) };
    // Every algorithm allowed, no asymmetric key fitting HS*: a token that passes with HS* here
    // would be the RSA public key used as an HMAC secret.
    JwtVerifier asymmetric { JwtRules { kAllAlgorithms, {}, {}, 0 },
                             std::make_shared<JwtKeySet>(JwtKeySet { { rsa, ec } }) };
};

std::optional<QJsonObject> jsonPart(QByteArrayView part)
{
    const auto bytes = base64UrlDecode(part);
    const QJsonDocument document = bytes ? QJsonDocument::fromJson(*bytes) : QJsonDocument();
    return document.isObject() ? std::optional(document.object()) : std::nullopt;
}

JwtVerdict checkVerdict(const JwtVerifier &verifier, QByteArrayView token)
{
    const JwtVerdict verdict = verifier.verify(token, kNow);
    check(jwtFailureCode(verdict.failure) != "invalid", "every failure has a code");
    check(verifier.verify(token, kNow).failure == verdict.failure, "a verdict is the same twice");
    if (!verdict.ok()) {
        check(verdict.claims.isEmpty(), "a refused token gives no claims");
        return verdict;
    }
    check(token.count('.') == 2, "an accepted token has three parts");
    check(verifier.checkClaims(verdict.claims, kNow) == JwtFailure::None, "accepted claims pass the claim checks");
    const auto header = jsonPart(token.first(token.indexOf('.')));
    check(header.has_value(), "an accepted token has a JSON header");
    const auto algorithm = jwtAlgorithmFromName(header->value(QStringLiteral("alg")).toString().toLatin1());
    check(algorithm.has_value(), "an accepted token names a known algorithm");
    return verdict;
}

void checkClaimHeaders(QByteArrayView token)
{
    const qsizetype first = token.indexOf('.');
    const qsizetype second = first < 0 ? -1 : token.indexOf('.', first + 1);
    const auto claims = second < 0 ? std::nullopt : jsonPart(token.sliced(first + 1, second - first - 1));
    if (!claims) {
        return;
    }
    for (auto it = claims->begin(); it != claims->end(); ++it) {
        for (char c : claimHeaderValue(claimValue(*claims, it.key()))) {
            const auto byte = static_cast<unsigned char>(c);
            check(byte >= 0x20 || byte == '\t', "a claim header value holds no control bytes");
            check(byte != 0x7f, "a claim header value holds no DEL");
        }
    }
}

void checkJwks(QByteArrayView document, QByteArrayView token)
{
    QString error;
    const std::shared_ptr<const JwtKeySet> set = parseJwks(document, &error);
    if (!set) {
        check(!error.isEmpty(), "a refused JWK Set says why");
        return;
    }
    check(!set->keys.isEmpty(), "a JWK Set that loads has a key");
    const JwtVerifier verifier(JwtRules { kAllAlgorithms, {}, {}, 0 }, set);
    checkVerdict(verifier, token);
}

void checkBase64(QByteArrayView bytes)
{
    const QByteArray encoded = base64UrlEncode(bytes);
    check(base64UrlDecode(encoded) == bytes.toByteArray(), "base64url decodes what it encodes");
    if (const auto decoded = base64UrlDecode(bytes)) {
        check(base64UrlDecode(base64UrlEncode(*decoded)) == *decoded, "decoded bytes re-encode");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const Fixture fixture;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype newline = input.indexOf('\n');
    const QByteArrayView token = newline < 0 ? input : input.first(newline);

    checkVerdict(fixture.strict, token);
    if (checkVerdict(fixture.asymmetric, token).ok()) {
        const auto header = jsonPart(token.first(token.indexOf('.')));
        check(!header->value(QStringLiteral("alg")).toString().startsWith(u"HS"), "no HMAC with an RSA or EC key");
    }
    checkClaimHeaders(token);
    if (newline >= 0) {
        checkJwks(input.sliced(newline + 1), token);
    }
    checkBase64(token);
    if (const auto entry = revocationEntryForUnverified(token)) {
        check(entry->id.startsWith("jti:") || entry->id.startsWith("sha256:"), "a revocation id is jti: or sha256:");
    }
    return 0;
}
