#include "NginxLocations.h"

#include <QRegularExpression>

#include "engine/export/NginxText.h"
#include "engine/export/RouteOrder.h"

namespace gatehouse::exporter::nginx {

namespace {

using PathKind = profile::RouteMatch::PathKind;

// Candidates after one that always matches can never be reached.
void append(QList<Candidate> &candidates, const Candidate &candidate)
{
    if (!candidates.isEmpty() && unconditional(candidates.last())) {
        return;
    }
    candidates.append(candidate);
}

bool regexMatches(const QString &pattern, const QString &path)
{
    return QRegularExpression(pattern).match(path).hasMatch();
}

Location exactLocation(const QString &path, const QList<const profile::Route *> &ordered)
{
    Location location { Location::Kind::Exact, path, {} };
    for (const profile::Route *route : ordered) {
        const profile::RouteMatch &m = route->match;
        const bool matches = (m.pathKind == PathKind::Exact && m.path == path)
            || (m.pathKind == PathKind::Prefix && prefixCovers(normalisedPrefix(m.path), path))
            || (m.pathKind == PathKind::Regex && regexMatches(m.path, path));
        if (matches) {
            append(location.candidates, { route, false }); // the path is known: no runtime check
        }
    }
    return location;
}

Location prefixLocation(const QString &prefix, const QList<const profile::Route *> &ordered)
{
    Location location { Location::Kind::Prefix, prefix, {} };
    for (const profile::Route *route : ordered) {
        const profile::RouteMatch &m = route->match;
        if (m.pathKind == PathKind::Prefix && prefixCovers(normalisedPrefix(m.path), prefix)) {
            append(location.candidates, { route, false });
        } else if (m.pathKind == PathKind::Regex) {
            append(location.candidates, { route, true });
        }
    }
    return location;
}

Location regexLocation(const QString &pattern, const QList<const profile::Route *> &ordered)
{
    Location location { Location::Kind::Regex, pattern, {} };
    bool reached = false;
    for (const profile::Route *route : ordered) {
        if (route->match.pathKind != PathKind::Regex) {
            continue;
        }
        // Earlier regexes matched nothing here, or nginx would have chosen their location.
        reached = reached || route->match.path == pattern;
        if (reached) {
            append(location.candidates, { route, route->match.path != pattern });
        }
    }
    return location;
}

} // namespace

bool unconditional(const Candidate &candidate)
{
    return !candidate.checkPath && conditionKinds(candidate.route->match) == 0;
}

QString Location::directive() const
{
    switch (kind) {
    case Kind::Exact:
        return QStringLiteral("location = ") + quoted(path);
    case Kind::Prefix:
        return QStringLiteral("location ~ ")
            + quoted(path.isEmpty()
                    ? QStringLiteral("^/")
                    : QLatin1Char('^') + literalRegex(path) + QStringLiteral("(?:/|$)"));
    case Kind::Regex:
        return QStringLiteral("location ~ ") + quoted(path);
    case Kind::Fallback:
        break;
    }
    return QStringLiteral("location /");
}

QList<Location> planLocations(const QList<const profile::Route *> &ordered)
{
    QList<Location> out;
    QStringList seen;
    bool coversAll = false;
    // `ordered` lists exact routes, then prefixes longest first, then regexes in file order:
    // nginx's order too once prefixes are regex locations.
    for (const profile::Route *route : ordered) {
        const profile::RouteMatch &m = route->match;
        const QString key = QString::number(int(m.pathKind)) + QLatin1Char(' ')
            + (m.pathKind == PathKind::Prefix ? normalisedPrefix(m.path) : m.path);
        if (seen.contains(key)) {
            continue;
        }
        seen.append(key);
        switch (m.pathKind) {
        case PathKind::Exact:
            out.append(exactLocation(m.path, ordered));
            break;
        case PathKind::Prefix:
            coversAll = coversAll || normalisedPrefix(m.path).isEmpty();
            out.append(prefixLocation(normalisedPrefix(m.path), ordered));
            break;
        case PathKind::Regex:
            out.append(regexLocation(m.path, ordered));
            break;
        }
    }
    if (!coversAll) {
        Location fallback;
        // Paths no exact or prefix location took may still match a regex route (nginx tried
        // those before falling back here, so none matched): 404.
        out.append(fallback);
    }
    return out;
}

} // namespace gatehouse::exporter::nginx
