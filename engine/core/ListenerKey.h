#pragma once

#include <QList>
#include <QString>

#include "engine/profile/Profile.h"

namespace gatehouse::engine {

// How the gateway tells a profile's listeners apart, also across reloads (a kept key keeps its
// socket): the bind, and for port 0 (any free port) which port-0 listener of that host it is,
// so two `127.0.0.1:0` listeners never share one socket or one TLS setting.
QString listenerKey(const QList<profile::Listener> &listen, qsizetype index);

} // namespace gatehouse::engine
