#pragma once

#include "engine/export/ExportResult.h"
#include "engine/profile/Profile.h"

namespace gatehouse::exporter {

// A complete nginx.conf for nginx OSS (SPEC §7.9): upstream blocks, one server per listener, and
// locations that route the same requests to the same upstreams in the gateway's precedence.
// What nginx cannot express is a `# not exported: ...` comment where it would be, and a warning.
// Secrets are never written: the features that use them (JWT, the admin token) are not exported.
ExportResult exportNginx(const profile::Profile &profile);

} // namespace gatehouse::exporter
