#pragma once

#include <memory>

#include <QtGlobal>

#include "engine/tls/ServerTlsContext.h"

namespace gatehouse::engine {

// What a connection needs to know about the listener that accepted it. Replaced as a whole when
// the profile or a certificate changes; a connection keeps the one it was accepted with.
struct ListenerOptions
{
    std::shared_ptr<const tls::ServerTlsContext> tls; // set: the listener terminates TLS
    quint16 redirectHttpsPort = 0; // `redirect_https`: every request is sent to HTTPS on this port
};

} // namespace gatehouse::engine
