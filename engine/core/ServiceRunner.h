#pragma once

#include <QList>
#include <QStringList>

#include "engine/core/ServiceInfo.h"
#include "engine/profile/Profile.h"

namespace gatehouse::engine {

// Runs a profile's built-in services (`services:`) for the Gateway. The services themselves
// (the echo service) live outside the engine; the app hands the Gateway a runner, and a
// Gateway without one refuses a profile that lists services.
class ServiceRunner
{
public:
    virtual ~ServiceRunner() = default;
    // Keeps the services that did not change, starts new ones, stops removed ones; on failure
    // nothing changes and `errors` names the service and its bind.
    virtual bool apply(const QList<profile::Service> &services, QStringList &errors) = 0;
    virtual QList<ServiceInfo> services() const = 0;
};

} // namespace gatehouse::engine
