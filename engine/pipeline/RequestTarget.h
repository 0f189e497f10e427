#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace gatehouse::engine {

// The request-target split, with its path normalised once (SPEC §7.1) for routing, strip_prefix,
// the upstream and the access log alike.
struct RequestTarget
{
    bool valid = false;
    bool absoluteForm = false;
    QByteArray authority; // absolute-form only: "host:port"
    int port = -1; // absolute-form only: the authority's port, else the scheme's; -1 when unreadable
    QByteArray path; // normalised: what routes match and what the upstream sees
    QByteArray query; // without the '?'; empty when absent
    // Set (with valid false) when the path holds what an upstream could read as another path:
    // an encoded '/', '\' or NUL, a raw '\', a ';' or a broken escape. Answered 400 bad_path.
    const char *badPath = nullptr;
};

struct PathRules
{
    bool allowSemicolons = false; // `limits.allow_semicolons`: ';' is an ordinary character
};

// Percent-encoded unreserved characters are decoded and other escapes upper-cased, dot segments
// (also "%2e" ones) are removed and runs of '/' merged, so "/api/%61dmin", "/api//admin" and
// "/public/../api/admin" are all routed, and forwarded, as "/api/admin": a route cannot be
// walked around by a spelling the upstream reads as the same path.
RequestTarget parseRequestTarget(QByteArrayView target, PathRules rules = {});

} // namespace gatehouse::engine
