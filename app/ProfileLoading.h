#pragma once

#include <cstdio>
#include <optional>

#include <QString>

#include "engine/profile/Profile.h"

namespace gatehouse::app {

// Reads and validates a profile; on problems prints each as FILE:LINE:COL: message to `out`
// and returns nothing.
std::optional<profile::Profile> loadProfileOrReport(const QString &path, std::FILE *out);

} // namespace gatehouse::app
