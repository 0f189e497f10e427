#pragma once

#include <memory>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QStringList>

#include "engine/profile/Profile.h"

namespace gatehouse::engine {

struct GatewayConfig;

// The Host names one listener answers (SPEC §7.1). A web page on evil.example whose name an
// attacker points at 127.0.0.1 (DNS rebinding) reaches the listener with Host: evil.example,
// and is refused here instead of reading the developer's local services.
class HostAllowList final
{
public:
    // `listener.allowed_hosts`, or the defaults: the loopback names, the bind address (for a
    // wildcard bind, `machineNames`), every route's hosts and `certificateNames`.
    static std::shared_ptr<const HostAllowList> build(const profile::Listener &listener, const GatewayConfig &config,
                                                      const QStringList &certificateNames,
                                                      const QStringList &machineNames);
    // This machine's addresses (IPv6 in brackets) and host name, for wildcard binds.
    static QStringList machineNames();

    // `host` lower case, without its port, as RequestContext::host holds it.
    bool allows(QByteArrayView host) const;

private:
    void add(const QString &pattern);

    bool m_any = false;
    QList<QByteArray> m_exact;
    QList<QByteArray> m_suffixes; // ".shop.test" for "*.shop.test"
};

} // namespace gatehouse::engine
