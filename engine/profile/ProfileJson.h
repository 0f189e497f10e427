#pragma once

#include <QJsonObject>

#include "engine/profile/Profile.h"

namespace gatehouse::profile {

// The profile as JSON, key for key what the canonical YAML holds (GET /admin/profile). Numbers
// and booleans are JSON numbers and booleans; durations and sizes stay strings ("5s", "10MiB").
QJsonObject profileToJson(const Profile &profile);

} // namespace gatehouse::profile
