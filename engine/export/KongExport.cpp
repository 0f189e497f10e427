#include "KongExport.h"

#include <yaml-cpp/yaml.h>

#include <QDir>

#include "engine/export/ExportNotes.h"
#include "engine/export/KongEntities.h"
#include "engine/export/KongPlugins.h"
#include "engine/export/RouteOrder.h"

namespace gatehouse::exporter {

namespace {

using namespace kong;
using PathKind = profile::RouteMatch::PathKind;

void comment(YAML::Emitter &out, const QString &text)
{
    out << YAML::Comment(text.toStdString());
}

std::string s(const QString &text)
{
    return text.toStdString();
}

// Kong anchors `~` paths at the start; a prefix is segment-aware as in the gateway: the exact
// path as a regex plus "PREFIX/" as a plain prefix.
QStringList kongPaths(const profile::RouteMatch &match)
{
    switch (match.pathKind) {
    case PathKind::Exact:
        return { QLatin1Char('~') + literalRegex(match.path) + QLatin1Char('$') };
    case PathKind::Prefix: {
        const QString prefix = normalisedPrefix(match.path);
        if (prefix.isEmpty()) {
            return { QStringLiteral("/") };
        }
        return { QLatin1Char('~') + literalRegex(prefix) + QLatin1Char('$'),
            prefix + QLatin1Char('/') };
    }
    case PathKind::Regex:
        break;
    }
    if (match.path.startsWith(QLatin1Char('^')) && !match.path.contains(QLatin1Char('|'))) {
        return { QLatin1Char('~') + match.path.mid(1) };
    }
    return { QStringLiteral("~.*(?:%1)").arg(match.path) };
}

const profile::Upstream *upstreamNamed(const profile::Profile &profile, const QString &name)
{
    for (const profile::Upstream &upstream : profile.upstreams) {
        if (upstream.name == name) {
            return &upstream;
        }
    }
    return nullptr;
}

void emitRoute(YAML::Emitter &out, const profile::Profile &profile, const profile::Route &route,
    int priority, ExportNotes &notes)
{
    const QString where = QStringLiteral("route ") + route.name;
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << s(route.name);
    out << YAML::Key << "paths" << YAML::Value << YAML::BeginSeq;
    for (const QString &path : kongPaths(route.match)) {
        emitString(out, path);
    }
    out << YAML::EndSeq;
    // The gateway's precedence, highest first (SPEC §2).
    out << YAML::Key << "regex_priority" << YAML::Value << priority;
    const bool strip = !route.stripPrefix.isEmpty() && route.match.pathKind != PathKind::Regex;
    out << YAML::Key << "strip_path" << YAML::Value << strip;
    if (!route.stripPrefix.isEmpty() && route.match.pathKind == PathKind::Regex) {
        comment(out,
            notes.notExported(where,
                QStringLiteral("strip_prefix %1 on a regex route (Kong strips the whole match)")
                    .arg(route.stripPrefix)));
    }
    out << YAML::Key << "path_handling" << YAML::Value << "v0";
    out << YAML::Key << "preserve_host" << YAML::Value << false;
    out << YAML::Key << "protocols" << YAML::Value << YAML::Flow << YAML::BeginSeq << "http"
        << "https" << YAML::EndSeq;
    if (!route.match.methods.isEmpty()) {
        out << YAML::Key << "methods" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const QString &m : route.match.methods) {
            out << s(m);
        }
        out << YAML::EndSeq;
    }
    if (!route.match.hosts.isEmpty()) {
        out << YAML::Key << "hosts" << YAML::Value << YAML::BeginSeq;
        for (const QString &h : route.match.hosts) {
            emitString(out, h);
        }
        out << YAML::EndSeq;
    }
    if (!route.match.headers.isEmpty()) {
        out << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
        for (const auto &[name, value] : route.match.headers) {
            out << YAML::Key << s(name) << YAML::Value << YAML::Flow << YAML::BeginSeq;
            emitString(out, value);
            out << YAML::EndSeq;
        }
        out << YAML::EndMap;
    }
    emitRoutePlugins(out, profile, route, notes);
    out << YAML::EndMap;
}

// One service per route: Kong keeps timeouts, retries and the upstream path on the service.
void emitService(YAML::Emitter &out, const profile::Profile &profile, const profile::Route &route,
    int priority, ExportNotes &notes)
{
    const profile::Upstream *upstream = upstreamNamed(profile, route.upstream);
    if (!upstream) {
        return;
    }
    const QString scheme
        = upstream->targets.isEmpty() ? QStringLiteral("http") : upstream->targets.first().scheme;
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << s(route.name);
    out << YAML::Key << "host" << YAML::Value << s(upstream->name);
    out << YAML::Key << "port" << YAML::Value << (scheme == QLatin1String("https") ? 443 : 80);
    out << YAML::Key << "protocol" << YAML::Value << s(scheme);
    // strip_prefix shorter than the matched path: Kong strips the whole match and puts the
    // service path in front of the rest ("/api/v1" of "/api/v1/users" -> path "/users").
    if (!route.stripPrefix.isEmpty() && route.match.pathKind != PathKind::Regex) {
        const QString matched = route.match.pathKind == PathKind::Prefix
            ? normalisedPrefix(route.match.path)
            : route.match.path;
        const QString rest = matched.mid(normalisedPrefix(route.stripPrefix).size());
        if (!rest.isEmpty()) {
            out << YAML::Key << "path" << YAML::Value << s(rest);
        }
    }
    out << YAML::Key << "connect_timeout" << YAML::Value
        << static_cast<long long>(upstream->connectTimeout.count());
    out << YAML::Key << "read_timeout" << YAML::Value
        << static_cast<long long>(route.timeout.count());
    out << YAML::Key << "write_timeout" << YAML::Value
        << static_cast<long long>(route.timeout.count());
    out << YAML::Key << "retries" << YAML::Value << route.retries;
    if (scheme == QLatin1String("https")) {
        const profile::UpstreamTls tls = upstream->tls.value_or(profile::UpstreamTls {});
        out << YAML::Key << "tls_verify" << YAML::Value << tls.verify;
        if (!tls.ca.isEmpty() || !tls.serverName.isEmpty()) {
            comment(out,
                notes.notExported(QStringLiteral("upstream ") + upstream->name,
                    QStringLiteral("tls ca/server_name (Kong takes CA certificates as entities)")));
        }
    }
    out << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
    emitRoute(out, profile, route, priority, notes);
    out << YAML::EndSeq << YAML::EndMap;
}

// yaml-cpp writes a comment after whatever precedes it, on the same line; one comment a line,
// indented like the entry it follows, is easier to read.
QByteArray commentsOnTheirOwnLines(const QByteArray &yaml)
{
    static const QByteArray marker = "  # ";
    QByteArray out;
    for (const QByteArray &line : yaml.split('\n')) {
        qsizetype at = line.indexOf(marker);
        if (at <= 0 || line.trimmed().startsWith('#')) {
            out += line + '\n';
            continue;
        }
        qsizetype indent = 0;
        while (indent < line.size() && line.at(indent) == ' ') {
            ++indent;
        }
        if (line.mid(indent).startsWith("- ")) {
            indent += 2;
        }
        out += line.left(at) + '\n';
        while (at >= 0) {
            const qsizetype next = line.indexOf(marker, at + marker.size());
            const QByteArray comment = line.mid(at + 2, next < 0 ? -1 : next - at - 2);
            out += QByteArray(indent, ' ') + comment + '\n';
            at = next;
        }
    }
    out.chop(1);
    return out;
}

} // namespace

ExportResult exportKong(const profile::Profile &profile)
{
    ExportNotes notes(QStringLiteral("kong"));
    YAML::Emitter out;
    comment(out,
        QStringLiteral(
            "Kong declarative configuration (decK) exported by Gatehouse from profile \"%1\".")
            .arg(profile.name));
    out << YAML::BeginMap;
    out << YAML::Key << "_format_version" << YAML::Value << YAML::DoubleQuoted << "3.0";
    if (profile.admin) {
        comment(out,
            notes.notExported(
                QString(), QStringLiteral("admin API (Gatehouse's own; Kong has its Admin API)")));
    }
    for (const profile::Service &service : profile.services) {
        comment(out,
            notes.notExported(QStringLiteral("service ") + service.name,
                QStringLiteral("built-in echo service (run the real service there)")));
    }
    for (const profile::Listener &listener : profile.listen) {
        comment(out,
            notes.notExported(
                QStringLiteral("listener %1:%2").arg(listener.bind.host).arg(listener.bind.port),
                QStringLiteral("listeners and their certificates (set proxy_listen and "
                               "certificates in Kong)")));
    }
    if (profile.serverTiming) {
        comment(out,
            notes.notExported(QString(), QStringLiteral("server_timing (Server-Timing header)")));
    }

    const QList<const profile::Route *> ordered = routesInPrecedence(profile);
    QList<int> priorities;
    out << YAML::Key << "services" << YAML::Value << YAML::BeginSeq;
    for (int i = 0; i < ordered.size(); ++i) {
        if (!ordered.at(i)->respond) {
            emitService(out, profile, *ordered.at(i), int(ordered.size() - i), notes);
        }
    }
    out << YAML::EndSeq;
    bool anyResponds = false;
    for (const profile::Route *route : ordered) {
        anyResponds = anyResponds || route->respond.has_value();
    }
    if (anyResponds) {
        // Routes that answer by themselves need no service: request-termination answers.
        out << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
        for (int i = 0; i < ordered.size(); ++i) {
            if (ordered.at(i)->respond) {
                emitRoute(out, profile, *ordered.at(i), int(ordered.size() - i), notes);
            }
        }
        out << YAML::EndSeq;
    }
    for (const profile::Route &route : profile.routes) {
        if (!route.enabled) {
            comment(out,
                QStringLiteral("route %1 is disabled (enabled: false) and not exported")
                    .arg(route.name));
        }
    }
    emitUpstreams(out, profile, notes);
    emitConsumers(out, profile, notes);
    if (profile.accessLog) {
        out << YAML::Key << "plugins" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << "file-log";
        out << YAML::Key << "config" << YAML::Value << YAML::BeginMap << YAML::Key << "path"
            << YAML::Value
            << s(QDir::cleanPath(QDir(profile.baseDir).absoluteFilePath(profile.accessLog->file)))
            << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
        comment(out,
            notes.notExported(QStringLiteral("access_log"),
                QStringLiteral("max_size/keep rotation (rotate with logrotate)")));
    }
    out << YAML::EndMap;
    QByteArray text = commentsOnTheirOwnLines(QByteArray(out.c_str(), qsizetype(out.size())));
    text.append('\n');
    return { text, notes.warnings() };
}

} // namespace gatehouse::exporter
