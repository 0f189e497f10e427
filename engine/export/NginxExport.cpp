#include "NginxExport.h"

#include <chrono>

#include "engine/export/NginxLocations.h"
#include "engine/export/NginxRoutes.h"
#include "engine/export/NginxText.h"
#include "engine/export/NginxUpstreams.h"
#include "engine/export/RouteOrder.h"

namespace gatehouse::exporter {

namespace {

using namespace nginx;

// Variables every server uses: the request id the gateway keeps or makes (SPEC §6), the
// WebSocket upgrade that keeps upstream keep-alive for everything else, a constant rate-limit
// key, and a literal '$' for texts (nginx has no escape for it; geo values are not expanded).
const char *const kHttpCommon
    = R"(    # X-Request-ID: kept when sane (1-128 of [A-Za-z0-9._:-]), else nginx's own
    map $http_x_request_id $gh_request_id {
        "~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;
        default $request_id;
    }
    # WebSocket upgrades pass; other requests keep the upstream connection alive
    map $http_upgrade $gh_connection_upgrade {
        default upgrade;
        "" "";
    }
    map $host $gh_constant_key {
        default all;
    }
    geo $gh_dollar {
        default "$";
    }
)";

// To the upstream (SPEC §3, §7.1): X-Forwarded-*, X-Real-IP, the request id; headers a client
// must not forge are dropped (an empty value is not sent). nginx drops names with '_' itself.
const char *const kServerProxy = R"(        proxy_http_version 1.1;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Request-ID $gh_request_id;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $gh_connection_upgrade;
        proxy_set_header Forwarded "";
        proxy_set_header X-Forwarded-Port "";
        proxy_set_header X-Forwarded-Prefix "";
        proxy_set_header X-Original-URL "";
        proxy_set_header X-Rewrite-URL "";
        limit_req_status 429;
)";

QString indentLines(const QString &text, const QString &indent)
{
    QString out;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        if (i == lines.size() - 1 && lines.at(i).isEmpty()) {
            break;
        }
        out += lines.at(i).isEmpty() ? QStringLiteral("\n")
                                     : indent + lines.at(i) + QLatin1Char('\n');
    }
    return out;
}

QString listenAddress(const profile::HostPort &bind)
{
    const QString host = bind.host.contains(QLatin1Char(':'))
        ? QLatin1Char('[') + bind.host + QLatin1Char(']')
        : bind.host;
    return host + QLatin1Char(':') + QString::number(bind.port);
}

QString limitsLines(const profile::Limits &limits)
{
    const QString in = QStringLiteral("        ");
    return in + QStringLiteral("client_max_body_size %1;\n").arg(size(limits.maxBodyBytes)) + in
        + QStringLiteral("large_client_header_buffers 4 %1;\n").arg(size(limits.maxHeaderBytes))
        + in + QStringLiteral("client_header_timeout %1;\n").arg(duration(limits.headerTimeout))
        + in + QStringLiteral("client_body_timeout %1;\n").arg(duration(limits.idleTimeout)) + in
        + QStringLiteral("send_timeout %1;\n").arg(duration(limits.idleTimeout)) + in
        + QStringLiteral("keepalive_timeout %1;\n").arg(duration(limits.idleTimeout));
}

QString tlsLines(const profile::Profile &profile, const profile::ListenerTls &tls, int index)
{
    const QString in = QStringLiteral("        ");
    QString out = in + QStringLiteral("ssl_protocols TLSv1.2 TLSv1.3;\n");
    if (tls.certificates.isEmpty()) {
        out += in
            + QStringLiteral("ssl_certificate %1;\n")
                  .arg(quoted(absolutePath(profile.baseDir, tls.cert)));
        out += in
            + QStringLiteral("ssl_certificate_key %1;\n")
                  .arg(quoted(absolutePath(profile.baseDir, tls.key)));
        return out;
    }
    // Several certificates chosen by SNI: nginx loads the one a map names for each handshake.
    out += in + QStringLiteral("ssl_certificate $gh_tls_cert_%1;\n").arg(index);
    out += in + QStringLiteral("ssl_certificate_key $gh_tls_key_%1;\n").arg(index);
    return out;
}

QString sniMaps(const profile::Profile &profile, const profile::ListenerTls &tls, int index)
{
    const profile::TlsCertificate fallback = tls.cert.isEmpty()
        ? tls.certificates.first()
        : profile::TlsCertificate { {}, tls.cert, tls.key, {} };
    QString out;
    for (const bool key : { false, true }) {
        out += QStringLiteral("    map $ssl_server_name $gh_tls_%1_%2 {\n        hostnames;\n")
                   .arg(key ? QStringLiteral("key") : QStringLiteral("cert"))
                   .arg(index);
        for (const profile::TlsCertificate &certificate : tls.certificates) {
            for (const QString &host : certificate.hosts) {
                out += QStringLiteral("        %1 %2;\n")
                           .arg(quoted(host),
                               quoted(absolutePath(
                                   profile.baseDir, key ? certificate.key : certificate.cert)));
            }
        }
        out += QStringLiteral("        default %1;\n    }\n")
                   .arg(quoted(absolutePath(profile.baseDir, key ? fallback.key : fallback.cert)));
    }
    return out;
}

QString allowedHostsLines(const profile::Listener &listener, int index, QString *httpMaps)
{
    if (listener.allowedHosts.isEmpty() || listener.allowedHosts.contains(QStringLiteral("*"))) {
        return {};
    }
    *httpMaps
        += QStringLiteral("    map $host $gh_host_allowed_%1 {\n        hostnames;\n").arg(index);
    for (const QString &host : listener.allowedHosts) {
        *httpMaps += QStringLiteral("        %1 1;\n").arg(quoted(host));
    }
    *httpMaps += QStringLiteral("        default 0;\n    }\n");
    return QStringLiteral(
        "        if ($gh_host_allowed_%1 = 0) {\n            return 403 %2;\n        }\n")
        .arg(index)
        .arg(quoted(errorBody(QStringLiteral("host_not_allowed"),
            QStringLiteral("this listener does not answer host $host"))));
}

QString topLevelNotes(const profile::Profile &profile, ExportNotes &notes)
{
    QString out;
    if (profile.admin) {
        out += QStringLiteral("    # %1\n")
                   .arg(notes.notExported(QString(),
                       QStringLiteral("admin API on %1 (Gatehouse's own)")
                           .arg(listenAddress(profile.admin->bind))));
    }
    for (const profile::Service &service : profile.services) {
        out += QStringLiteral("    # %1\n")
                   .arg(notes.notExported(QStringLiteral("service ") + service.name,
                       QStringLiteral("built-in echo service on %1 (run the real service there)")
                           .arg(listenAddress(service.bind))));
    }
    if (profile.serverTiming) {
        out += QStringLiteral("    # %1\n")
                   .arg(notes.notExported(
                       QString(), QStringLiteral("server_timing (Server-Timing header)")));
    }
    return out;
}

} // namespace

ExportResult exportNginx(const profile::Profile &profile)
{
    ExportNotes notes(QStringLiteral("nginx"));
    const QList<const profile::Route *> ordered = routesInPrecedence(profile);
    RouteWriter routes(profile, notes);
    const QString locations = routes.locations(planLocations(ordered));
    const QString upstreams = upstreamBlocks(profile, notes);

    QString out = QStringLiteral(
        "# nginx configuration exported by Gatehouse from profile \"%1\".\n"
        "# Locations follow Gatehouse's route precedence: exact paths, then prefixes longest\n"
        "# first (segment-aware), then regexes in profile order; a location with several\n"
        "# candidate routes picks by host, method and headers through the maps below.\n\n")
                      .arg(profile.name);
    const qint64 connections = profile.limits.maxConnections;
    out += QStringLiteral("worker_processes auto;\nworker_rlimit_nofile %1;\n\nevents {\n    "
                          "worker_connections %2;   # limits.max_connections\n}\n\nhttp {\n")
               .arg(2 * connections + 64)
               .arg(connections);
    out += QStringLiteral("    default_type application/json;\n    server_tokens off;\n");
    out += topLevelNotes(profile, notes);
    if (profile.accessLog) {
        out += QStringLiteral(
            "    log_format gatehouse_json escape=json "
            "'{\"time\":\"$time_iso8601\",\"request_id\":\"$gh_request_id\",'\n"
            "        "
            "'\"client\":\"$remote_addr\",\"method\":\"$request_method\",\"path\":\"$uri\",'\n"
            "        "
            "'\"upstream\":\"$upstream_addr\",\"status\":$status,\"bytes_in\":$request_length,'\n"
            "        '\"bytes_out\":$bytes_sent,\"total_ms\":$request_time}';\n");
        out += QStringLiteral("    access_log %1 gatehouse_json;\n")
                   .arg(quoted(absolutePath(profile.baseDir, profile.accessLog->file)));
        out += QStringLiteral("    # %1\n")
                   .arg(notes.notExported(QStringLiteral("access_log"),
                       QStringLiteral("max_size/keep rotation (rotate with logrotate)")));
    }
    out += QLatin1Char('\n') + QString::fromLatin1(kHttpCommon) + QLatin1Char('\n');

    QString servers;
    QString serverMaps;
    quint16 httpsPort = 0;
    for (const profile::Listener &listener : profile.listen) {
        if (listener.tls && !listener.tls->autoIssue && httpsPort == 0) {
            httpsPort = listener.bind.port;
        }
    }
    for (int i = 0; i < profile.listen.size(); ++i) {
        const profile::Listener &listener = profile.listen.at(i);
        const bool ssl = listener.tls && !listener.tls->autoIssue;
        servers += QStringLiteral("    server {\n        listen %1%2;\n        server_name _;\n")
                       .arg(listenAddress(listener.bind), ssl ? QStringLiteral(" ssl") : QString());
        if (listener.bind.port == 0) {
            servers += QStringLiteral("        # %1\n")
                           .arg(notes.notExported(
                               QStringLiteral("listener ") + listenAddress(listener.bind),
                               QStringLiteral("port 0 (any free port): set a real port")));
        }
        if (listener.tls && listener.tls->autoIssue) {
            servers += QStringLiteral("        # %1\n")
                           .arg(notes.notExported(
                               QStringLiteral("listener ") + listenAddress(listener.bind),
                               QStringLiteral("tls auto (Gatehouse's local CA): add `ssl` and "
                                              "ssl_certificate for production")));
        } else if (ssl) {
            servers += tlsLines(profile, *listener.tls, i);
            if (!listener.tls->certificates.isEmpty()) {
                serverMaps += sniMaps(profile, *listener.tls, i);
            }
        }
        if (listener.redirectHttps) {
            servers += QStringLiteral("        return 308 https://$host:%1$request_uri;\n    }\n\n")
                           .arg(httpsPort);
            continue;
        }
        servers += allowedHostsLines(listener, i, &serverMaps);
        servers
            += limitsLines(profile.limits) + QString::fromLatin1(kServerProxy) + QLatin1Char('\n');
        servers += indentLines(locations, QStringLiteral("    "));
        servers += QStringLiteral("    }\n\n");
    }
    out += indentLines(routes.httpBlocks(), QStringLiteral("    ")) + serverMaps
        + QLatin1Char('\n');
    out += indentLines(upstreams, QStringLiteral("    "));
    out += servers;
    while (out.endsWith(QLatin1String("\n\n"))) {
        out.chop(1);
    }
    out += QStringLiteral("}\n");
    return { out.toUtf8(), notes.warnings() };
}

} // namespace gatehouse::exporter
