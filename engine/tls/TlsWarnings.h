#pragma once

#include <QStringList>

#include "engine/profile/Profile.h"

namespace gatehouse::engine::tls {

// What a profile does that weakens TLS on purpose (`verify: false`), said each time it is
// loaded so it is never forgotten in a profile that outlives the reason for it.
QStringList insecureTlsWarnings(const profile::Profile &profile);

} // namespace gatehouse::engine::tls
