#include "RouteOrder.h"

#include <algorithm>

namespace gatehouse::exporter {

namespace {

using PathKind = profile::RouteMatch::PathKind;

struct Ranked
{
    const profile::Route *route;
    int fileIndex;
};

int rank(const profile::Route &route)
{
    switch (route.match.pathKind) {
    case PathKind::Exact:
        return 0;
    case PathKind::Prefix:
        return 1;
    case PathKind::Regex:
        return 2;
    }
    return 2;
}

QString comparedPath(const profile::Route &route)
{
    return route.match.pathKind == PathKind::Prefix ? normalisedPrefix(route.match.path)
                                                    : route.match.path;
}

// The same comparison as the gateway's route table (engine/config/GatewayConfig.cpp `precedes`).
bool precedes(const Ranked &a, const Ranked &b)
{
    const profile::Route &ra = *a.route;
    const profile::Route &rb = *b.route;
    if (rank(ra) != rank(rb)) {
        return rank(ra) < rank(rb);
    }
    const QString pa = comparedPath(ra);
    const QString pb = comparedPath(rb);
    if (ra.match.pathKind == PathKind::Prefix && pa.toUtf8().size() != pb.toUtf8().size()) {
        return pa.toUtf8().size() > pb.toUtf8().size();
    }
    if (ra.match.pathKind == PathKind::Regex) {
        return a.fileIndex < b.fileIndex;
    }
    if (pa == pb && conditionKinds(ra.match) != conditionKinds(rb.match)) {
        return conditionKinds(ra.match) > conditionKinds(rb.match);
    }
    return a.fileIndex < b.fileIndex;
}

} // namespace

QString normalisedPrefix(const QString &prefix)
{
    QString out = prefix;
    while (out.endsWith(QLatin1Char('/'))) {
        out.chop(1);
    }
    return out;
}

bool prefixCovers(const QString &prefix, const QString &path)
{
    return path.startsWith(prefix)
        && (path.size() == prefix.size() || path.at(prefix.size()) == QLatin1Char('/'));
}

int conditionKinds(const profile::RouteMatch &match)
{
    return int(!match.methods.isEmpty()) + int(!match.hosts.isEmpty())
        + int(!match.headers.isEmpty());
}

QList<const profile::Route *> routesInPrecedence(const profile::Profile &profile)
{
    QList<Ranked> ranked;
    for (int i = 0; i < profile.routes.size(); ++i) {
        if (profile.routes.at(i).enabled) {
            ranked.append({ &profile.routes.at(i), i });
        }
    }
    std::stable_sort(ranked.begin(), ranked.end(), precedes);
    QList<const profile::Route *> out;
    for (const Ranked &r : ranked) {
        out.append(r.route);
    }
    return out;
}

} // namespace gatehouse::exporter
