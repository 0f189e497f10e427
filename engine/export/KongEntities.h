#pragma once

#include "engine/export/ExportNotes.h"
#include "engine/profile/Profile.h"

namespace YAML {
class Emitter;
}

// Kong entities that do not hang off a route: upstreams with their targets and health checks,
// and consumers holding the JWT profiles' keys (as vault references).
namespace gatehouse::exporter::kong {

void emitUpstreams(YAML::Emitter &out, const profile::Profile &profile, ExportNotes &notes);
void emitConsumers(YAML::Emitter &out, const profile::Profile &profile, ExportNotes &notes);

} // namespace gatehouse::exporter::kong
