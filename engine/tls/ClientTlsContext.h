#pragma once

#include <memory>

#include <QByteArray>
#include <QString>

struct ssl_st;
struct ssl_ctx_st;

namespace gatehouse::engine::tls {

// How the gateway talks TLS to one upstream's https:// targets: TLS 1.2+, the peer verified against
// the system's trust store or the upstream's own CA file, unless `verify: false` was said explicitly.
class ClientTlsContext final
{
public:
    struct Options
    {
        QString caFile; // absolute; empty = the system store
        bool verify = true;
    };
    static std::shared_ptr<const ClientTlsContext> create(const Options &options, QString *error);
    ~ClientTlsContext();
    ClientTlsContext(const ClientTlsContext &) = delete;
    ClientTlsContext &operator=(const ClientTlsContext &) = delete;

    // A client session that sends `serverName` as SNI (unless it is an IP address) and checks that
    // the certificate names it. Owned by the caller.
    ssl_st *newSession(const QByteArray &serverName) const;
    bool verifies() const { return m_verify; }

private:
    ClientTlsContext() = default;
    ssl_ctx_st *m_ctx = nullptr;
    bool m_verify = true;
};

} // namespace gatehouse::engine::tls
