// decK services and routes -> profile routes, and the import as a whole: the file read with
// yaml-cpp (its exceptions stay here), the parts in KongImportUpstreams/KongImportPlugins, route
// precedence from `regex_priority`, then the profile written and validated as `check` does.
#include "KongImport.h"

#include <algorithm>

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QUrl>

#include "engine/export/KongImportContext.h"
#include "engine/export/KongImportPaths.h"
#include "engine/export/RouteOrder.h"
#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"
#include "engine/profile/Values.h"

namespace gatehouse::exporter {

namespace {

using namespace kongimport;
using PathKind = profile::RouteMatch::PathKind;

struct Imported
{
    int priority = 0;
    profile::Route route;
};

class Importer final
{
public:
    explicit Importer(ImportContext &ctx)
        : m_ctx(ctx)
    {
    }

    void run(const YAML::Node &root);

private:
    void readService(const YAML::Node &service, const QList<YAML::Node> &extraRoutes);
    QString upstreamFor(const YAML::Node &service, const QString &serviceName);
    void readRoute(const YAML::Node &node, const YAML::Node &service, const QString &upstream,
        const QString &fallbackName);
    QString uniqueRouteName(const QString &wanted);
    QList<YAML::Node> pluginsFor(const QString &kind, const QString &name) const;

    ImportContext &m_ctx;
    QList<Imported> m_routes;
    QList<YAML::Node> m_globalPlugins;
    QList<QPair<QString, YAML::Node>> m_servicePlugins; // service name, plugin
    QList<QPair<QString, YAML::Node>> m_routePlugins; // route name, plugin
    QSet<QString> m_timedUpstreams;
    QSet<QString> m_routeNames;
};

QList<YAML::Node> Importer::pluginsFor(const QString &kind, const QString &name) const
{
    QList<YAML::Node> out;
    for (const auto &[owner, plugin] :
        kind == QLatin1String("service") ? m_servicePlugins : m_routePlugins) {
        if (owner == name) {
            out.append(plugin);
        }
    }
    return out;
}

QString Importer::uniqueRouteName(const QString &wanted)
{
    QString name = safeName(wanted);
    for (int n = 2; m_routeNames.contains(name); ++n) {
        name = QStringLiteral("%1-%2").arg(safeName(wanted)).arg(n);
    }
    m_routeNames.insert(name);
    return name;
}

// The service's host names an upstream entity, or is itself the one target of a new upstream.
QString Importer::upstreamFor(const YAML::Node &service, const QString &serviceName)
{
    QString protocol = text(child(service, "protocol"));
    QString host = text(child(service, "host"));
    int port = text(child(service, "port")).toInt();
    if (!text(child(service, "url")).isEmpty()) {
        const QUrl url(text(child(service, "url")));
        protocol = url.scheme();
        host = url.host();
        port = url.port(-1);
    }
    if (protocol.isEmpty()) {
        protocol = QStringLiteral("http");
    }
    if (protocol != QLatin1String("http") && protocol != QLatin1String("https")) {
        m_ctx.notMapped(
            child(service, "protocol").IsDefined() ? child(service, "protocol") : service,
            QStringLiteral("service %1: protocol %2 (the gateway proxies HTTP)")
                .arg(serviceName, protocol));
        return {};
    }
    const bool https = protocol == QLatin1String("https");
    if (port <= 0) {
        port = https ? 443 : 80;
    }
    const bool verify = boolean(child(service, "tls_verify"), true);
    for (profile::Upstream &upstream : m_ctx.profile.upstreams) {
        if (upstream.name != host) {
            continue;
        }
        for (profile::Target &target : upstream.targets) {
            target.scheme = protocol;
            target.url = QStringLiteral("%1://%2").arg(
                protocol, target.url.section(QStringLiteral("://"), 1));
        }
        if (https && !verify) {
            upstream.tls = profile::UpstreamTls { QString(), false, QString() };
        }
        return upstream.name;
    }
    profile::Upstream upstream;
    upstream.name = safeName(serviceName);
    while (std::any_of(m_ctx.profile.upstreams.cbegin(), m_ctx.profile.upstreams.cend(),
        [&](const profile::Upstream &u) { return u.name == upstream.name; })) {
        upstream.name += QStringLiteral("-service");
    }
    const bool ipv6 = host.contains(QLatin1Char(':'));
    const auto target = profile::parseTargetUrl(
        QStringLiteral("%1://%2:%3")
            .arg(protocol, ipv6 ? QLatin1Char('[') + host + QLatin1Char(']') : host)
            .arg(port));
    if (!target) {
        m_ctx.error(child(service, "host").IsDefined() ? child(service, "host") : service,
            QStringLiteral("service %1: '%2' is not a host").arg(serviceName, host));
        return {};
    }
    upstream.targets.append(*target);
    if (https && !verify) {
        upstream.tls = profile::UpstreamTls { QString(), false, QString() };
    }
    m_ctx.profile.upstreams.append(upstream);
    return upstream.name;
}

void Importer::readRoute(const YAML::Node &node, const YAML::Node &service, const QString &upstream,
    const QString &fallbackName)
{
    const QString name
        = text(child(node, "name")).isEmpty() ? fallbackName : text(child(node, "name"));
    const QString where = QStringLiteral("route ") + name;
    m_ctx.unknownKeys(node,
        { "name", "id", "tags", "paths", "methods", "hosts", "headers", "regex_priority",
            "strip_path", "path_handling", "preserve_host", "protocols", "plugins", "service",
            "https_redirect_status_code", "request_buffering", "response_buffering", "created_at",
            "updated_at" },
        where);
    const QStringList paths = texts(child(node, "paths"));
    if (paths.isEmpty()) {
        // Kong routes by host or method alone; a profile's route always has a path.
        m_ctx.error(
            node, QStringLiteral("%1 has no paths (a profile route matches a path)").arg(where));
        return;
    }
    if (boolean(child(node, "preserve_host"), false)) {
        m_ctx.notMapped(child(node, "preserve_host"), where + QStringLiteral(": preserve_host"));
    }
    const QStringList protocols = texts(child(node, "protocols"));
    for (const QString &protocol : protocols) {
        if (protocol != QLatin1String("http") && protocol != QLatin1String("https")) {
            m_ctx.notMapped(
                child(node, "protocols"), where + QStringLiteral(": protocol %1").arg(protocol));
        }
    }
    profile::Route base;
    base.match.methods = texts(child(node, "methods"));
    for (QString &method : base.match.methods) {
        method = method.toUpper();
    }
    base.match.hosts = texts(child(node, "hosts"));
    const YAML::Node headers = child(node, "headers");
    if (headers.IsDefined() && headers.IsMap()) {
        for (auto it = headers.begin(); it != headers.end(); ++it) {
            const QStringList values = texts(it->second);
            const QString header = QString::fromStdString(it->first.Scalar());
            if (values.size() != 1 || values.first().startsWith(QLatin1String("~*"))) {
                // The profile matches one exact value per header.
                m_ctx.notMapped(it->first,
                    where
                        + QStringLiteral(": header %1 matching %2")
                              .arg(header, values.join(QStringLiteral(", "))));
                continue;
            }
            base.match.headers.append({ header, values.first() });
        }
    }
    base.upstream = upstream;
    // Kong's defaults: 60 s timeouts, 5 retries.
    const double read = number(m_ctx, child(service, "read_timeout"), 60'000).value_or(60'000);
    const double write = number(m_ctx, child(service, "write_timeout"), 60'000).value_or(60'000);
    if (!upstream.isEmpty()) { // a route without a service answers by itself: no exchange
        base.timeout = profile::Duration(qint64(qMax(read, write)));
        base.retries = int(number(m_ctx, child(service, "retries"), 5).value_or(5));
    }
    base.enabled = boolean(child(service, "enabled"), true);
    QList<YAML::Node> plugins = m_globalPlugins;
    plugins += pluginsFor(QStringLiteral("service"), text(child(service, "name")));
    for (const YAML::Node &plugin : child(node, "plugins")) {
        plugins.append(plugin);
    }
    plugins += pluginsFor(QStringLiteral("route"), name);
    const int priority = int(number(m_ctx, child(node, "regex_priority"), 0).value_or(0));
    // Kong strips the matched path by default, then puts the service's path in front.
    const bool strip = boolean(child(node, "strip_path"), true);
    QString servicePath = text(child(service, "path"));
    if (!text(child(service, "url")).isEmpty()) {
        servicePath = QUrl(text(child(service, "url"))).path();
    }
    if (servicePath == QLatin1String("/")) {
        servicePath.clear();
    }
    const auto servicePathNotMapped = [&] {
        const YAML::Node at = child(service, "path").IsDefined() ? child(service, "path")
            : child(service, "url").IsDefined()                  ? child(service, "url")
                                                                 : service;
        m_ctx.notMapped(at, where + QStringLiteral(": service path %1 put in front of the upstream path").arg(servicePath));
    };
    const QList<profile::RouteMatch> matches = matchesOf(paths);
    for (int i = 0; i < matches.size(); ++i) {
        profile::Route route = base;
        route.name = uniqueRouteName(i == 0 ? name : QStringLiteral("%1-%2").arg(name).arg(i + 1));
        route.match.pathKind = matches.at(i).pathKind;
        route.match.path = matches.at(i).path;
        if (route.match.pathKind == PathKind::Regex) {
            if (strip && !upstream.isEmpty()) {
                m_ctx.notMapped(child(node, "strip_path").IsDefined() ? child(node, "strip_path")
                                                                      : child(node, "paths"),
                    where + QStringLiteral(": strip_path on the regex path %1").arg(paths.at(i)));
            }
            if (!servicePath.isEmpty() && !upstream.isEmpty()) {
                servicePathNotMapped();
            }
        } else {
            const QString matched = route.match.pathKind == PathKind::Prefix
                ? normalisedPrefix(route.match.path)
                : route.match.path;
            if (strip && servicePath.isEmpty()) {
                route.stripPrefix = matched;
            } else if (strip && matched.endsWith(servicePath)
                && matched.size() > servicePath.size()) {
                route.stripPrefix = matched.chopped(servicePath.size());
            } else if (!servicePath.isEmpty() && !upstream.isEmpty()) {
                servicePathNotMapped();
            }
        }
        if (route.stripPrefix.isEmpty() || route.stripPrefix == QLatin1String("/")) {
            route.stripPrefix.clear();
        }
        applyPlugins(m_ctx, route, plugins);
        if (route.upstream.isEmpty() && !route.respond) {
            m_ctx.notMapped(
                node, where + QStringLiteral(" (no service and no request-termination)"));
            continue;
        }
        m_routes.append({ priority, route });
    }
}

void Importer::readService(const YAML::Node &service, const QList<YAML::Node> &extraRoutes)
{
    const QString name = text(child(service, "name")).isEmpty() ? text(child(service, "host"))
                                                                : text(child(service, "name"));
    const QString where = QStringLiteral("service ") + name;
    m_ctx.unknownKeys(service,
        { "name", "id", "tags", "host", "port", "protocol", "path", "url", "connect_timeout",
            "read_timeout", "write_timeout", "retries", "tls_verify", "tls_verify_depth", "routes",
            "plugins", "enabled", "created_at", "updated_at" },
        where);
    QList<YAML::Node> routes = extraRoutes;
    for (const YAML::Node &route : child(service, "routes")) {
        routes.append(route);
    }
    if (routes.isEmpty()) {
        m_ctx.notMapped(service, where + QStringLiteral(" (no routes)"));
        return;
    }
    const QString upstream = upstreamFor(service, name);
    if (upstream.isEmpty()) {
        return;
    }
    const double connect
        = number(m_ctx, child(service, "connect_timeout"), 60'000).value_or(60'000);
    for (profile::Upstream &u : m_ctx.profile.upstreams) {
        if (u.name != upstream) {
            continue;
        }
        if (!m_timedUpstreams.contains(upstream)) {
            u.connectTimeout = profile::Duration(qint64(connect));
            m_timedUpstreams.insert(upstream);
        } else if (u.connectTimeout.count() != qint64(connect)) {
            m_ctx.notMapped(child(service, "connect_timeout"),
                where
                    + QStringLiteral(": connect_timeout %1 ms (upstream %2 keeps %3 ms)")
                          .arg(qint64(connect))
                          .arg(upstream)
                          .arg(u.connectTimeout.count()));
        }
    }
    for (const YAML::Node &plugin : child(service, "plugins")) {
        m_servicePlugins.append({ text(child(service, "name")), plugin });
    }
    int n = 0;
    for (const YAML::Node &route : routes) {
        readRoute(route, service, upstream, QStringLiteral("%1-route-%2").arg(name).arg(++n));
    }
}

void Importer::run(const YAML::Node &root)
{
    m_ctx.unknownKeys(root,
        { "_format_version", "_transform", "_info", "_workspace", "services", "routes", "upstreams",
            "consumers", "plugins" },
        QStringLiteral("top level"));
    for (const char *key : { "services", "routes", "upstreams", "consumers", "plugins" }) {
        const YAML::Node list = child(root, key);
        if (list.IsDefined() && !list.IsNull() && !list.IsSequence()) {
            m_ctx.error(list, QStringLiteral("'%1' must be a list").arg(QString::fromLatin1(key)));
            return;
        }
    }
    readUpstreams(m_ctx, child(root, "upstreams"));
    readConsumers(m_ctx, child(root, "consumers"));
    for (const YAML::Node &plugin : child(root, "plugins")) {
        if (!text(child(plugin, "route")).isEmpty()) {
            m_routePlugins.append({ text(child(plugin, "route")), plugin });
        } else if (!text(child(plugin, "service")).isEmpty()) {
            m_servicePlugins.append({ text(child(plugin, "service")), plugin });
        } else if (!text(child(plugin, "consumer")).isEmpty()) {
            m_ctx.notMapped(plugin,
                QStringLiteral("plugin %1 on consumer %2")
                    .arg(text(child(plugin, "name")), text(child(plugin, "consumer"))));
        } else if (!applyGlobalPlugin(m_ctx, plugin)) {
            static const QStringList perRoute
                = { QStringLiteral("jwt"), QStringLiteral("rate-limiting"), QStringLiteral("cors"),
                      QStringLiteral("request-termination") };
            if (perRoute.contains(text(child(plugin, "name")))) {
                m_globalPlugins.append(plugin);
            } else {
                m_ctx.notMapped(
                    plugin, QStringLiteral("plugin %1").arg(text(child(plugin, "name"))));
            }
        }
    }
    // Top-level routes: on a service named by `service`, or answering by themselves.
    QList<YAML::Node> loose;
    QMap<QString, QList<YAML::Node>> byService;
    for (const YAML::Node &route : child(root, "routes")) {
        const YAML::Node service = child(route, "service");
        const QString serviceName
            = service.IsDefined() && service.IsMap() ? text(child(service, "name")) : text(service);
        if (serviceName.isEmpty()) {
            loose.append(route);
        } else {
            byService[serviceName].append(route);
        }
    }
    for (const YAML::Node &service : child(root, "services")) {
        readService(service, byService.take(text(child(service, "name"))));
    }
    for (auto it = byService.cbegin(); it != byService.cend(); ++it) {
        for (const YAML::Node &route : it.value()) {
            m_ctx.error(
                child(route, "service"), QStringLiteral("no service named %1").arg(it.key()));
        }
    }
    int n = 0;
    for (const YAML::Node &route : loose) {
        readRoute(route, YAML::Node(), QString(), QStringLiteral("route-%1").arg(++n));
    }
    // Kong tries regex paths by regex_priority, highest first; the gateway its own precedence,
    // then file order among regexes: file order is regex_priority's.
    std::stable_sort(m_routes.begin(), m_routes.end(),
        [](const Imported &a, const Imported &b) { return a.priority > b.priority; });
    for (const Imported &imported : std::as_const(m_routes)) {
        m_ctx.profile.routes.append(imported.route);
    }
}

} // namespace

ImportResult importKong(const QByteArray &deck, const QString &displayName)
{
    ImportContext ctx(displayName);
    ImportResult result;
    try {
        const YAML::Node root = YAML::Load(deck.toStdString());
        if (!root.IsMap()) {
            ctx.errorAt(1, 1,
                QStringLiteral(
                    "not a decK file: expected a YAML map with _format_version: \"3.0\""));
        } else if (text(child(root, "_format_version")) != QLatin1String("3.0")) {
            if (child(root, "_format_version").IsDefined()) {
                ctx.error(child(root, "_format_version"),
                    QStringLiteral("_format_version is %1; only decK \"3.0\" is read")
                        .arg(text(child(root, "_format_version"))));
            } else {
                ctx.errorAt(1, 1, QStringLiteral("no _format_version; only decK \"3.0\" is read"));
            }
        } else {
            ctx.profile.version = 1;
            const QString base = safeName(QFileInfo(displayName).completeBaseName());
            ctx.profile.name = base.isEmpty() ? QStringLiteral("kong-import") : base;
            // decK carries no listeners (proxy_listen is kong.conf's): Kong's proxy port, on
            // loopback.
            profile::Listener listener;
            listener.bind = { QStringLiteral("127.0.0.1"), 8000 };
            ctx.profile.listen.append(listener);
            Importer(ctx).run(root);
        }
    } catch (const YAML::Exception &e) {
        ctx.errorAt(e.mark.line + 1, e.mark.column + 1,
            QStringLiteral("not valid YAML: %1").arg(QString::fromStdString(e.msg)));
    }
    // In file order, once each (a service's plugin is read for each of its routes).
    result.notMapped = ctx.notMappedLines();
    result.notMapped.removeDuplicates();
    const auto lineColumn = [&displayName](const QString &line) {
        const QStringList parts = line.mid(displayName.size() + 1).split(QLatin1Char(':'));
        return std::pair(parts.value(0).toInt(), parts.value(1).toInt());
    };
    std::stable_sort(result.notMapped.begin(), result.notMapped.end(),
        [&](const QString &a, const QString &b) { return lineColumn(a) < lineColumn(b); });
    result.errors = ctx.errorLines();
    if (!result.errors.isEmpty()) {
        return result;
    }
    // The same validation `check` runs: the written profile read back.
    const QByteArray yaml = profile::writeProfileYaml(ctx.profile);
    const profile::ReadResult read
        = profile::readProfile(yaml, QStringLiteral("<imported profile>"), QDir::currentPath());
    for (const profile::Problem &problem : read.problems) {
        result.errors.append(QStringLiteral("%1: the imported profile is not valid: %2")
                                 .arg(displayName, problem.toString()));
    }
    if (read.ok()) {
        result.profile = read.profile;
        result.yaml = yaml;
    }
    return result;
}

} // namespace gatehouse::exporter
