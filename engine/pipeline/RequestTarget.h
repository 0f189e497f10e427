#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace gatehouse::engine {

// The request-target split and normalised for routing.
struct RequestTarget
{
    bool valid = false;
    bool absoluteForm = false;
    QByteArray authority; // absolute-form only: "host:port"
    QByteArray path; // dot segments resolved: what routes match and what the upstream sees
    QByteArray query; // without the '?'; empty when absent
};

// Dot segments (also percent-encoded ones) are resolved so "/public/../admin" is routed, and
// forwarded, as "/admin": a route cannot be bypassed by a path the upstream would resolve.
RequestTarget parseRequestTarget(QByteArrayView target);

} // namespace gatehouse::engine
