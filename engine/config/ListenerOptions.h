#pragma once

#include <memory>

#include <QtGlobal>

#include "engine/config/HostAllowList.h"
#include "engine/tls/ServerTlsContext.h"

namespace gatehouse::engine {

// What a connection needs to know about the listener that accepted it. Replaced as a whole when
// the profile or a certificate changes; a connection keeps the one it was accepted with.
struct ListenerOptions
{
    std::shared_ptr<const tls::ServerTlsContext> tls; // set: the listener terminates TLS
    quint16 redirectHttpsPort = 0; // `redirect_https`: every request is sent to HTTPS on this port
    std::shared_ptr<const HostAllowList> hosts; // never null once the listener is configured
    quint16 port = 0; // the bound port: absolute-form targets must name it
};

} // namespace gatehouse::engine
