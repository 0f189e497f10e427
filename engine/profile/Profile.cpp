#include "Profile.h"

namespace gatehouse::profile {

namespace {

// Positions say where something was read from, not what it is; content equality ignores them.
template<typename T>
QList<T> withoutPositions(QList<T> items)
{
    for (T &item : items) {
        item.pos = SourcePos {};
    }
    return items;
}

QList<Upstream> upstreamsWithoutPositions(QList<Upstream> upstreams)
{
    for (Upstream &upstream : upstreams) {
        upstream.pos = SourcePos {};
        upstream.targets = withoutPositions(upstream.targets);
    }
    return upstreams;
}

QList<Listener> listenersWithoutPositions(QList<Listener> listeners)
{
    for (Listener &listener : listeners) {
        listener.pos = SourcePos {};
        if (listener.tls) {
            listener.tls->certificates = withoutPositions(listener.tls->certificates);
        }
    }
    return listeners;
}

std::optional<Admin> adminWithoutPositions(std::optional<Admin> admin)
{
    if (admin) {
        admin->pos = SourcePos {};
        if (admin->tls) {
            admin->tls->certificates = withoutPositions(admin->tls->certificates);
        }
    }
    return admin;
}

} // namespace

bool Profile::sameContent(const Profile &other) const
{
    return version == other.version && name == other.name
        && listenersWithoutPositions(listen) == listenersWithoutPositions(other.listen)
        && adminWithoutPositions(admin) == adminWithoutPositions(other.admin)
        && accessLog == other.accessLog && serverTiming == other.serverTiming
        && withoutPositions(services) == withoutPositions(other.services) && limits == other.limits
        && upstreamsWithoutPositions(upstreams) == upstreamsWithoutPositions(other.upstreams)
        && withoutPositions(routes) == withoutPositions(other.routes)
        && withoutPositions(jwt) == withoutPositions(other.jwt)
        && withoutPositions(rateLimits) == withoutPositions(other.rateLimits);
}

} // namespace gatehouse::profile
