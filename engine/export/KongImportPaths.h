#pragma once

#include <QList>
#include <QStringList>

#include "engine/profile/Profile.h"

namespace gatehouse::exporter::kongimport {

// Kong's `paths` as the profile's matches. The exporter's pairs come back as they went out:
// ["~/api$", "/api/"] is the segment-aware prefix /api, ["~/health$"] the exact /health.
QList<profile::RouteMatch> matchesOf(const QStringList &paths);

} // namespace gatehouse::exporter::kongimport
