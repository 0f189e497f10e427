#pragma once

#include "engine/export/ExportResult.h"
#include "engine/profile/Profile.h"

namespace gatehouse::exporter {

// A Kong declarative configuration (decK `_format_version: "3.0"`, SPEC §7.9): one service per
// route (Kong keeps timeouts and retries on services), routes with `regex_priority` carrying the
// gateway's precedence, upstreams with targets and health checks, consumers for JWT profiles, and
// plugins. Secrets are `{vault://env/NAME}` references, never values. What Kong cannot express is
// a `# not exported: ...` comment and a warning.
ExportResult exportKong(const profile::Profile &profile);

} // namespace gatehouse::exporter
