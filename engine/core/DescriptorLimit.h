#pragma once

#include <QStringList>

#include "engine/profile/Profile.h"

namespace gatehouse::engine {

// The process's open-files limit (RLIMIT_NOFILE); 0 when unknown.
struct DescriptorLimit
{
    quint64 soft = 0;
    quint64 hard = 0;
};

// Raises the soft limit to the hard one, once per process (the first Gateway::start, so `serve`
// and the app both get it), and returns the limits then in force. The soft default (1024 on most
// systems) is a relic of select(); every client connection takes a descriptor and every proxied
// one a second, so a gateway under it runs out long before its max_connections (SPEC §7.1).
DescriptorLimit raiseDescriptorLimit();
DescriptorLimit currentDescriptorLimit();

// A warning when the profile's limits.max_connections is more than this process can open (said
// at start, with the TLS warnings); empty when it fits.
QStringList descriptorLimitWarnings(const profile::Profile &profile);

} // namespace gatehouse::engine
