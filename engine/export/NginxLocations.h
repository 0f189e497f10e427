#pragma once

#include <QList>
#include <QString>

#include "engine/profile/Profile.h"

// Which nginx locations a profile's routes need, and which routes a request that lands in each
// may still take. nginx picks a location by path alone; the gateway tries routes in precedence
// order and falls through to the next one when hosts, methods or headers do not match. So each
// location carries the ordered routes that can serve a path landing there.
namespace gatehouse::exporter::nginx {

struct Candidate
{
    const profile::Route *route = nullptr;
    bool checkPath = false; // a regex route whose pattern the request must still match
};

struct Location
{
    enum class Kind { Exact, Prefix, Regex, Fallback };
    Kind kind = Kind::Fallback;
    QString path; // the exact path, the normalised prefix ("" for "/"), or the regex source
    QList<Candidate> candidates; // in precedence order; empty: 404

    // "location = /health", "location ~ \"^/api(?:/|$)\"", "location /".
    QString directive() const;
};

// True when a candidate matches whatever host, method and headers a request has.
bool unconditional(const Candidate &candidate);

// In nginx's own order of evaluation, which equals the gateway's precedence: exact locations,
// then every prefix as a regex, longest first (so a prefix always beats a `path_regex` route, as
// in the gateway, and "/api" does not match "/apix"), then the routes' regexes in file order,
// then `location /` (404) when no route covers "/".
QList<Location> planLocations(const QList<const profile::Route *> &ordered);

} // namespace gatehouse::exporter::nginx
