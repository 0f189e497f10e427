#pragma once

#include <QString>

#include "engine/export/ExportNotes.h"
#include "engine/profile/Profile.h"

namespace YAML {
class Emitter;
}

// Kong plugins for one route: jwt, rate-limiting, cors, request-termination (`respond`).
namespace gatehouse::exporter::kong {

// Writes `plugins: [...]` for the route into the open route map (nothing when it has none), and
// comments for what has no Kong OSS plugin.
void emitRoutePlugins(YAML::Emitter &out, const profile::Profile &profile,
    const profile::Route &route, ExportNotes &notes);

// A secret reference as a Kong vault reference: env:NAME -> {vault://env/NAME}; keychain and file
// references become the environment variable a deployment provides instead (NAME upper-cased).
QString vaultReference(const profile::SecretRef &secret);

// Kong 3 reads `~` paths with Rust's regex crate, which refuses needless escapes: this escapes
// only what is special.
QString literalRegex(const QString &text);

// Writes a string scalar, quoted when YAML would read it as something else (3.0, true, null).
void emitString(YAML::Emitter &out, const QString &text);

} // namespace gatehouse::exporter::kong
