#pragma once

#include <optional>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "engine/profile/Profile.h"

namespace gatehouse::exporter {

// A Kong declarative configuration read back into a profile (SPEC §7.9, `gatehouse import FILE
// --from kong`): what maps becomes the profile, what does not is one line each with the decK
// file's position. The profile has passed the same validation `gatehouse check` runs.
struct ImportResult
{
    std::optional<profile::Profile> profile; // set only when errors is empty
    QByteArray yaml; // the profile in canonical YAML (profile/ProfileWriter)
    QStringList notMapped; // "FILE:LINE:COL: not mapped: WHAT"
    QStringList errors; // "FILE:LINE:COL: message": bad input, or an invalid resulting profile
    bool ok() const { return profile.has_value(); }
};

// `displayName` names the file in every line; the profile's name is taken from it.
ImportResult importKong(const QByteArray &deck, const QString &displayName);

} // namespace gatehouse::exporter
