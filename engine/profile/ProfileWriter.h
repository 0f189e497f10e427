#pragma once

#include "Profile.h"

#include <QByteArray>

namespace gatehouse::profile {

// Canonical YAML: fixed key order, defaults omitted, durations and sizes in their largest exact unit.
// readProfile(writeProfileYaml(p)) yields a profile with the same content as p.
QByteArray writeProfileYaml(const Profile &profile);

} // namespace gatehouse::profile
