#include "ClientTlsContext.h"

#include <QFile>
#include <QHostAddress>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "engine/tls/TlsErrors.h"

namespace gatehouse::engine::tls {

std::shared_ptr<const ClientTlsContext> ClientTlsContext::create(const Options &options, QString *error)
{
    std::shared_ptr<ClientTlsContext> context(new ClientTlsContext);
    context->m_verify = options.verify;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        *error = takeOpenSslError();
        return nullptr;
    }
    context->m_ctx = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    static const unsigned char http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };
    SSL_CTX_set_alpn_protos(ctx, http11, sizeof http11);
    // Whole bursts of records in one read(); Socket::readInto takes everything OpenSSL buffered.
    SSL_CTX_set_read_ahead(ctx, 1);
    if (!options.verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        return context;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (options.caFile.isEmpty()) {
        if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            *error = QStringLiteral("cannot load the system's trusted certificates: %1").arg(takeOpenSslError());
            return nullptr;
        }
        return context;
    }
    if (!QFile::exists(options.caFile)) {
        *error = QStringLiteral("%1: no such file").arg(options.caFile);
        return nullptr;
    }
    if (SSL_CTX_load_verify_locations(ctx, QFile::encodeName(options.caFile).constData(), nullptr) != 1) {
        *error = QStringLiteral("%1: not a PEM CA certificate (%2)").arg(options.caFile, takeOpenSslError());
        return nullptr;
    }
    return context;
}

ClientTlsContext::~ClientTlsContext()
{
    SSL_CTX_free(m_ctx);
}

ssl_st *ClientTlsContext::newSession(const QByteArray &serverName) const
{
    SSL *ssl = SSL_new(m_ctx);
    if (!ssl) {
        return nullptr;
    }
    const bool isAddress = !QHostAddress(QString::fromLatin1(serverName)).isNull();
    if (isAddress) {
        if (m_verify) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName.constData());
        }
    } else {
        // SSL_set_tlsext_host_name() without its C cast.
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char *>(serverName.constData()));
        if (m_verify) {
            SSL_set1_host(ssl, serverName.constData());
        }
    }
    return ssl;
}

} // namespace gatehouse::engine::tls
