// JwtKey::verify and JwtKey::sign on OpenSSL 3's EVP API (RFC 7518 §3, RFC 8037 §3.1).

#include "JwtKey.h"

#include <array>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "engine/base/OpenSslHandles.h"

namespace gatehouse::engine {

namespace {

const unsigned char *bytes(QByteArrayView data)
{
    return reinterpret_cast<const unsigned char *>(data.data());
}

// OpenSSL 3 looks algorithms up by name in a locked store; done once per algorithm here instead
// of on every request.
EVP_MAC *hmacAlgorithm()
{
    static EVP_MAC *const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

const EVP_MD *digestFor(JwtAlgorithm algorithm)
{
    static const std::array<EVP_MD *, 3> digests { EVP_MD_fetch(nullptr, "SHA256", nullptr),
                                                   EVP_MD_fetch(nullptr, "SHA384", nullptr),
                                                   EVP_MD_fetch(nullptr, "SHA512", nullptr) };
    const char *name = digestNameFor(algorithm);
    if (!name) {
        return nullptr; // EdDSA
    }
    return digests[QByteArrayView(name) == "SHA256" ? 0 : QByteArrayView(name) == "SHA384" ? 1 : 2];
}

// An HMAC context keyed once and re-initialised per message (EVP_MAC_init with no key keeps the
// key): setting a key and a digest by name costs more than hashing a token. One small cache per
// thread, so no context is ever shared.
class HmacContexts
{
public:
    ~HmacContexts() { clear(); }
    EVP_MAC_CTX *get(JwtAlgorithm algorithm, const QByteArray &secret)
    {
        for (Entry &entry : m_entries) {
            if (entry.algorithm == algorithm && entry.secret == secret) {
                return EVP_MAC_init(entry.ctx, nullptr, 0, nullptr) == 1 ? entry.ctx : nullptr;
            }
        }
        if (m_entries.size() >= kMaxEntries) {
            clear();
        }
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmacAlgorithm());
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>(digestNameFor(algorithm)), 0),
            OSSL_PARAM_construct_end(),
        };
        if (!ctx || EVP_MAC_init(ctx, bytes(secret), size_t(secret.size()), params) != 1) {
            EVP_MAC_CTX_free(ctx);
            return nullptr;
        }
        m_entries.append({ algorithm, secret, ctx });
        return ctx;
    }

private:
    static constexpr qsizetype kMaxEntries = 16;
    struct Entry
    {
        JwtAlgorithm algorithm;
        QByteArray secret;
        EVP_MAC_CTX *ctx;
    };
    void clear()
    {
        for (Entry &entry : m_entries) {
            EVP_MAC_CTX_free(entry.ctx);
        }
        m_entries.clear();
    }
    QList<Entry> m_entries;
};

std::optional<QByteArray> hmac(JwtAlgorithm algorithm, const QByteArray &secret, QByteArrayView input)
{
    thread_local HmacContexts contexts;
    EVP_MAC_CTX *ctx = contexts.get(algorithm, secret);
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t length = 0;
    if (!ctx || EVP_MAC_update(ctx, bytes(input), size_t(input.size())) != 1
        || EVP_MAC_final(ctx, out, &length, sizeof out) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(length));
}

// Sets the digest and, for PS*, PSS padding with a salt as long as the hash (RFC 7518 §3.5).
ossl::MdCtx digestContext(JwtAlgorithm algorithm, EVP_PKEY *pkey, bool signing)
{
    ossl::MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX *pctx = nullptr;
    const EVP_MD *digest = digestFor(algorithm);
    const int ok = signing ? EVP_DigestSignInit(ctx.get(), &pctx, digest, nullptr, pkey)
                           : EVP_DigestVerifyInit(ctx.get(), &pctx, digest, nullptr, pkey);
    if (ok != 1) {
        return ossl::MdCtx(nullptr, EVP_MD_CTX_free);
    }
    if (isRsaPss(algorithm)
        && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
        return ossl::MdCtx(nullptr, EVP_MD_CTX_free);
    }
    return ctx;
}

// JOSE carries ECDSA signatures as fixed-size r||s; OpenSSL speaks DER.
QByteArray rawToDer(QByteArrayView raw)
{
    const int half = int(raw.size() / 2);
    ossl::EcdsaSig sig(ECDSA_SIG_new(), ECDSA_SIG_free);
    BIGNUM *r = BN_bin2bn(bytes(raw), half, nullptr);
    BIGNUM *s = BN_bin2bn(bytes(raw) + half, half, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0) {
        return {};
    }
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    return out;
}

QByteArray derToRaw(const QByteArray &der, int coordinate)
{
    const unsigned char *cursor = bytes(der);
    ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &cursor, long(der.size())), ECDSA_SIG_free);
    if (!sig) {
        return {};
    }
    QByteArray raw(2 * coordinate, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, coordinate) != coordinate
        || BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + coordinate, coordinate) != coordinate) {
        return {};
    }
    return raw;
}

bool isEc(JwtKeyType type)
{
    return type == JwtKeyType::EcP256 || type == JwtKeyType::EcP384;
}

} // namespace

bool JwtKey::verify(JwtAlgorithm algorithm, QByteArrayView signingInput, QByteArrayView signature) const
{
    if (!suits(algorithm) || signature.isEmpty()) {
        return false;
    }
    if (m_type == JwtKeyType::Hmac) {
        const auto expected = hmac(algorithm, m_secret, signingInput);
        return expected && expected->size() == signature.size()
            && CRYPTO_memcmp(expected->constData(), signature.data(), size_t(signature.size())) == 0;
    }
    QByteArray der;
    if (isEc(m_type)) {
        // Exactly 2 × the coordinate size: a DER signature, or one for another curve, is refused.
        if (signature.size() != 2 * ecCoordinateSize(m_type)) {
            return false;
        }
        der = rawToDer(signature);
        signature = der;
    }
    const ossl::MdCtx ctx = digestContext(algorithm, m_pkey.get(), false);
    const bool ok = ctx && !signature.isEmpty()
        && EVP_DigestVerify(ctx.get(), bytes(signature), size_t(signature.size()), bytes(signingInput),
                            size_t(signingInput.size()))
            == 1;
    ERR_clear_error();
    return ok;
}

std::optional<QByteArray> JwtKey::sign(JwtAlgorithm algorithm, QByteArrayView signingInput) const
{
    if (!canSign() || !suits(algorithm)) {
        return std::nullopt;
    }
    if (m_type == JwtKeyType::Hmac) {
        return hmac(algorithm, m_secret, signingInput);
    }
    const ossl::MdCtx ctx = digestContext(algorithm, m_pkey.get(), true);
    size_t length = 0;
    if (!ctx || EVP_DigestSign(ctx.get(), nullptr, &length, bytes(signingInput), size_t(signingInput.size())) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, bytes(signingInput),
                       size_t(signingInput.size()))
        != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    signature.resize(qsizetype(length));
    if (isEc(m_type)) {
        signature = derToRaw(signature, ecCoordinateSize(m_type));
        if (signature.isEmpty()) {
            return std::nullopt;
        }
    }
    return signature;
}

} // namespace gatehouse::engine
