#pragma once

#include <QList>
#include <QString>

#include "engine/profile/Profile.h"

// Gatehouse's route precedence (SPEC §2), read from the profile alone, for exporters that must
// give a target the same order: `path_exact`, then the longest `path` prefix, then `path_regex`
// in file order; among equal paths more condition kinds first; then file order.
namespace gatehouse::exporter {

// The enabled routes, most specific first (the order the gateway tries them).
QList<const profile::Route *> routesInPrecedence(const profile::Profile &profile);

// A prefix as the gateway compares it: trailing slashes removed, so "/" is "" (every path).
QString normalisedPrefix(const QString &prefix);
// Segment-aware: "/api" covers "/api" and "/api/x", not "/apix"; "" covers everything.
bool prefixCovers(const QString &normalisedPrefix, const QString &path);
// Hosts, methods and headers: how many kinds of condition a route adds to its path.
int conditionKinds(const profile::RouteMatch &match);

} // namespace gatehouse::exporter
