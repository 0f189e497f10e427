#pragma once

#include <QString>

#include "engine/export/ExportNotes.h"
#include "engine/profile/Profile.h"

namespace gatehouse::exporter::nginx {

// One `upstream NAME { ... }` block per profile upstream: targets with weights, the nearest
// balancing method, passive ejection as max_fails/fail_timeout, keepalive.
QString upstreamBlocks(const profile::Profile &profile, ExportNotes &notes);

// The proxy directives a route needs for its upstream (scheme, connect timeout, TLS to targets).
// `indent` prefixes each line; relative CA paths resolve against `baseDir`.
QString upstreamProxyDirectives(
    const profile::Upstream &upstream, const QString &baseDir, const QString &indent);

// "http" or "https", from the first target.
QString upstreamScheme(const profile::Upstream &upstream);

} // namespace gatehouse::exporter::nginx
