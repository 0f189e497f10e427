#include "TlsWarnings.h"

#include <algorithm>

namespace gatehouse::engine::tls {

QStringList insecureTlsWarnings(const profile::Profile &profile)
{
    QStringList warnings;
    for (const profile::Upstream &upstream : profile.upstreams) {
        const bool https = std::any_of(upstream.targets.cbegin(), upstream.targets.cend(),
                                       [](const profile::Target &t) { return t.scheme == QLatin1String("https"); });
        if (https && upstream.tls && !upstream.tls->verify) {
            warnings.append(QStringLiteral("upstream %1: TLS certificate verification is off (tls.verify: false); "
                                           "anyone between the gateway and it can read and change its traffic")
                                .arg(upstream.name));
        }
    }
    return warnings;
}

} // namespace gatehouse::engine::tls
