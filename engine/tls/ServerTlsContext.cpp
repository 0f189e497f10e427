#include "ServerTlsContext.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "engine/tls/TlsErrors.h"

namespace gatehouse::engine::tls {

namespace {

// Mozilla's "intermediate" TLS 1.2 list: forward secrecy and AEAD only. TLS 1.3 keeps OpenSSL's
// defaults, which are the same three suites Mozilla lists.
constexpr const char *kTls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

int selectHttp11(SSL *, const unsigned char **out, unsigned char *outLength, const unsigned char *in,
                 unsigned int inLength, void *)
{
    static const unsigned char http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    unsigned char *selected = nullptr;
    if (SSL_select_next_proto(&selected, outLength, http11, sizeof http11, in, inLength) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK; // a client offering only h2 still gets HTTP/1.1, without ALPN
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

bool loadChain(SSL_CTX *ctx, const CertificatePem &pem, QString *error)
{
    BIO *certBio = BIO_new_mem_buf(pem.certPem.constData(), int(pem.certPem.size()));
    X509 *leaf = PEM_read_bio_X509_AUX(certBio, nullptr, nullptr, nullptr);
    bool ok = leaf && SSL_CTX_use_certificate(ctx, leaf) == 1;
    X509_free(leaf);
    while (ok) {
        X509 *intermediate = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr);
        if (!intermediate) {
            ERR_clear_error(); // the end of the file
            break;
        }
        ok = SSL_CTX_add0_chain_cert(ctx, intermediate) == 1;
        if (!ok) {
            X509_free(intermediate);
        }
    }
    BIO_free(certBio);
    if (!ok) {
        *error = QStringLiteral("%1: not a PEM certificate (%2)").arg(pem.origin, takeOpenSslError());
        return false;
    }
    BIO *keyBio = BIO_new_mem_buf(pem.keyPem.constData(), int(pem.keyPem.size()));
    // No passphrase callback: an encrypted key is an error, never a prompt on the terminal.
    EVP_PKEY *key = PEM_read_bio_PrivateKey(keyBio, nullptr, [](char *, int, int, void *) { return 0; }, nullptr);
    BIO_free(keyBio);
    if (!key) {
        *error = QStringLiteral("%1: the key is not an unencrypted PEM private key (%2)").arg(pem.origin, takeOpenSslError());
        return false;
    }
    ok = SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(key);
    if (!ok) {
        *error = QStringLiteral("%1: the key does not belong to the certificate").arg(pem.origin);
        ERR_clear_error();
    }
    return ok;
}

SSL_CTX *newServerContext(const CertificatePem &pem, QString *error)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        *error = takeOpenSslError();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx, kTls12Ciphers);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_alpn_select_cb(ctx, selectHttp11, nullptr);
    // Whole bursts of records in one read(); Socket::readInto takes everything OpenSSL buffered.
    SSL_CTX_set_read_ahead(ctx, 1);
    static const unsigned char sessionContext[] = "gatehouse";
    SSL_CTX_set_session_id_context(ctx, sessionContext, sizeof sessionContext - 1);
    if (!loadChain(ctx, pem, error)) {
        SSL_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

bool hostMatches(const QString &pattern, QByteArrayView name)
{
    const QByteArray wanted = pattern.toLatin1();
    if (wanted.startsWith("*.")) {
        // One label, like certificate wildcards: *.shop.test names a.shop.test, not a.b.shop.test.
        const QByteArrayView suffix = QByteArrayView(wanted).sliced(1);
        if (name.size() <= suffix.size() || name.last(suffix.size()).compare(suffix, Qt::CaseInsensitive) != 0) {
            return false;
        }
        return !name.first(name.size() - suffix.size()).contains('.');
    }
    return name.compare(wanted, Qt::CaseInsensitive) == 0;
}

void appendDnsNames(SSL_CTX *ctx, QStringList &out)
{
    X509 *leaf = SSL_CTX_get0_certificate(ctx);
    if (!leaf) {
        return;
    }
    auto *names = static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
    if (!names) {
        return;
    }
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            const ASN1_IA5STRING *dns = name->d.dNSName;
            const QString text = QString::fromLatin1(reinterpret_cast<const char *>(ASN1_STRING_get0_data(dns)),
                                                     ASN1_STRING_length(dns)).toLower();
            if (!out.contains(text)) {
                out.append(text);
            }
        }
    }
    GENERAL_NAMES_free(names);
}

} // namespace

std::shared_ptr<const ServerTlsContext> ServerTlsContext::create(const QList<CertificatePem> &certificates, QString *error)
{
    if (certificates.isEmpty()) {
        *error = QStringLiteral("no certificate");
        return nullptr;
    }
    std::shared_ptr<ServerTlsContext> context(new ServerTlsContext);
    for (const CertificatePem &pem : certificates) {
        SSL_CTX *ctx = newServerContext(pem, error);
        if (!ctx) {
            return nullptr;
        }
        context->m_entries.push_back({ pem.hosts, ctx });
        for (const QString &host : pem.hosts) {
            if (!context->m_names.contains(host)) {
                context->m_names.append(host);
            }
        }
        appendDnsNames(ctx, context->m_names);
    }
    SSL_CTX *first = context->m_entries.front().ctx;
    // SSL_CTX_set_tlsext_servername_callback() without its C cast.
    SSL_CTX_callback_ctrl(first, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, reinterpret_cast<void (*)()>(onServerName));
    SSL_CTX_set_tlsext_servername_arg(first, context.get());
    return context;
}

ServerTlsContext::~ServerTlsContext()
{
    for (const Entry &entry : m_entries) {
        SSL_CTX_free(entry.ctx);
    }
}

ssl_st *ServerTlsContext::newSession() const
{
    return SSL_new(m_entries.front().ctx);
}

SSL_CTX *ServerTlsContext::contextFor(QByteArrayView serverName) const
{
    for (const Entry &entry : m_entries) {
        for (const QString &host : entry.hosts) {
            if (hostMatches(host, serverName)) {
                return entry.ctx;
            }
        }
    }
    return nullptr;
}

int ServerTlsContext::onServerName(SSL *ssl, int *, void *arg)
{
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!name) {
        return SSL_TLSEXT_ERR_OK;
    }
    const auto *self = static_cast<const ServerTlsContext *>(arg);
    SSL_CTX *chosen = self->contextFor(QByteArrayView(name));
    if (chosen && chosen != SSL_get_SSL_CTX(ssl)) {
        SSL_set_SSL_CTX(ssl, chosen);
    }
    return SSL_TLSEXT_ERR_OK;
}

} // namespace gatehouse::engine::tls
