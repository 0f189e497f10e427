#pragma once

#include <memory>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

struct ssl_st;
struct ssl_ctx_st;

namespace gatehouse::engine::tls {

// A certificate chain and its key in PEM, and the SNI names it answers for (none: the default).
struct CertificatePem
{
    QStringList hosts; // exact names or "*.domain"; lower case
    QByteArray certPem; // leaf first, then intermediates
    QByteArray keyPem;
    QString origin; // where it came from, for error messages ("certs/a.pem")
};

// The TLS side of one HTTPS listener: TLS 1.2 and 1.3 only, Mozilla's "intermediate" ciphers for
// 1.2, ALPN http/1.1, and the certificate chosen by SNI. Immutable once built; a reload builds a
// new one, and connections keep the one they started with.
class ServerTlsContext final
{
public:
    // The first certificate is the default, used when SNI names none of the others (as nginx does).
    static std::shared_ptr<const ServerTlsContext> create(const QList<CertificatePem> &certificates, QString *error);
    ~ServerTlsContext();
    ServerTlsContext(const ServerTlsContext &) = delete;
    ServerTlsContext &operator=(const ServerTlsContext &) = delete;

    // A new server-side session, owned by the caller; the context must outlive it.
    ssl_st *newSession() const;
    // Every name the certificates are for (SNI names and the leaves' DNS subject alternative
    // names), lower case: the hosts an HTTPS listener answers by default.
    const QStringList &names() const { return m_names; }

private:
    struct Entry
    {
        QStringList hosts;
        ssl_ctx_st *ctx = nullptr;
    };
    ServerTlsContext() = default;
    static int onServerName(ssl_st *ssl, int *alert, void *arg);
    ssl_ctx_st *contextFor(QByteArrayView serverName) const;

    std::vector<Entry> m_entries;
    QStringList m_names;
};

} // namespace gatehouse::engine::tls
