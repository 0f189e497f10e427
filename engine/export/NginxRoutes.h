#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include "engine/export/ExportNotes.h"
#include "engine/export/NginxLocations.h"
#include "engine/profile/Profile.h"

// Routes as nginx locations: what each route does once chosen (proxy or answer, strip_prefix,
// timeouts, retries, CORS, gzip, rate limits), and how a location picks among its candidate
// routes by host, method and headers when it has more than one (http-level maps, then a jump to
// the chosen route's named location).
namespace gatehouse::exporter::nginx {

class RouteWriter final
{
public:
    RouteWriter(const profile::Profile &profile, ExportNotes &notes);

    // Every location, as one text shared by all servers (4-space indented lines).
    QString locations(const QList<Location> &plan);
    // The http-level blocks the locations rely on (maps, limit_req zones); call after locations().
    QString httpBlocks() const { return m_http; }

private:
    QString locationBlock(const Location &location, int index);
    QString dispatch(const Location &location, int index);
    QString routeBody(const profile::Route &route, const QString &indent);
    QString proxyLines(const profile::Route &route, const QString &indent);
    QString respondLines(const profile::Route &route, const QString &indent);
    QString corsLines(const profile::Route &route, const QString &indent);
    QString rateLimitLines(const profile::Route &route, const QString &indent);
    QString unexportedLines(const profile::Route &route, const QString &indent);
    QString methodCheck(const profile::Route &route, const QString &indent);
    // "$gh_ok_NAME": "2" the route takes the request, "1" all but the method match, "0" not.
    QString okVariable(const profile::Route &route, bool checkPath);
    QString methodVariable(const profile::Route &route);
    // The route's name as nginx names allow ('-' and '.' become '_'), unique among the routes.
    QString routeId(const profile::Route &route);
    // "# not exported: ..." once per route and feature on stderr, however often it is written.
    QString note(const profile::Route &route, const QString &what, const QString &indent);

    const profile::Profile &m_profile;
    ExportNotes &m_notes;
    QString m_http;
    QSet<QString> m_defined; // http-level names already written
    QStringList m_namedRoutes; // routes reached through a named location
    QSet<QString> m_noted; // a route's body may be written twice: one warning per note
    QHash<const profile::Route *, QString> m_ids;
    bool m_usesCorsMethod = false;
    bool m_dispatches = false;
};

// The JSON error answers the gateway gives itself (not_found, method_not_allowed).
QString errorBody(const QString &error, const QString &message);

} // namespace gatehouse::exporter::nginx
