// The server side of a profile: listeners, admin, access log, built-in services and limits.

#include "SectionReaders.h"

#include "Values.h"

#include <algorithm>

namespace gatehouse::profile::detail {

namespace {

// Reads a bind address and remembers it for the duplicate check.
bool readBind(ReadContext &ctx, MapReader &map, HostPort &out, const QString &owner)
{
    QString text;
    if (!map.require("bind") || !map.getString("bind", text)) {
        return false;
    }
    QString error;
    const auto bind = parseHostPort(text, &error);
    if (!bind) {
        ctx.error(map.value("bind"), QStringLiteral("'bind': ") + error);
        return false;
    }
    out = *bind;
    ctx.binds.append(BindUse { *bind, map.value("bind"), owner });
    return true;
}

bool readCertificateHosts(ReadContext &ctx, MapReader &map, QStringList &out)
{
    map.require("hosts");
    return map.getStringList("hosts", out, [&ctx](const YAML::Node &host, QString &text) {
        text = text.toLower();
        if (!isHostPattern(text)) {
            // SNI carries names only, so a certificate is chosen by name.
            ctx.error(host, QStringLiteral("invalid host '%1'; use a name like api.test or a wildcard like *.shop.test").arg(text));
            return false;
        }
        return true;
    });
}

void readCertificates(ReadContext &ctx, const YAML::Node &node, QList<TlsCertificate> &out)
{
    forEachItem(ctx, node, QStringLiteral("'certificates'"), [&](const YAML::Node &item) {
        MapReader map(ctx, item, QStringLiteral("a certificate"), { "hosts", "cert", "key" });
        if (!map.isMap()) {
            return;
        }
        TlsCertificate certificate;
        certificate.pos = positionOf(item);
        readCertificateHosts(ctx, map, certificate.hosts);
        map.require("cert");
        map.require("key");
        map.getString("cert", certificate.cert);
        map.getString("key", certificate.key);
        out.append(certificate);
    });
}

std::optional<ListenerTls> readListenerTls(ReadContext &ctx, const YAML::Node &node, const QString &what)
{
    MapReader map(ctx, node, what, { "cert", "key", "certificates", "auto" });
    ListenerTls tls;
    if (!map.isMap()) {
        return tls;
    }
    map.getBool("auto", tls.autoIssue);
    const bool ownCertificate = map.has("cert") || map.has("key");
    if (tls.autoIssue && (ownCertificate || map.has("certificates"))) {
        ctx.error(map.value("auto"), QStringLiteral("%1: 'auto: true' issues the certificate itself; remove 'cert', 'key' and 'certificates'").arg(what));
    } else if (ownCertificate) {
        map.require("cert");
        map.require("key");
    } else if (!tls.autoIssue && !map.has("certificates")) {
        ctx.error(node, QStringLiteral("%1 needs 'cert' and 'key', 'certificates', or 'auto: true'").arg(what));
    }
    map.getString("cert", tls.cert);
    map.getString("key", tls.key);
    if (map.has("certificates")) {
        readCertificates(ctx, map.value("certificates"), tls.certificates);
    }
    return tls;
}

bool readAllowedHosts(ReadContext &ctx, MapReader &map, QStringList &out)
{
    return map.getStringList("allowed_hosts", out, [&ctx](const YAML::Node &host, QString &text) {
        text = text.toLower();
        if (text != u"*" && !isHostPattern(text) && !isBracketedIpv6(text)) {
            ctx.error(host, QStringLiteral("invalid allowed host '%1'; use a name like api.test, a wildcard like "
                                           "*.shop.test, an address like 127.0.0.1 or [::1], or \"*\" for any")
                                .arg(text));
            return false;
        }
        return true;
    });
}

} // namespace

NameSet::NameSet(QString what)
    : m_what(std::move(what))
{
}

bool NameSet::read(ReadContext &ctx, MapReader &map, QString &name)
{
    if (!map.require("name") || !map.getString("name", name)) {
        return false;
    }
    const YAML::Node node = map.value("name");
    if (!isValidName(name)) {
        ctx.error(node, QStringLiteral("invalid %1 name '%2'; use letters, digits, '.', '_' and '-'").arg(m_what, name));
        return false;
    }
    const auto previous = m_seen.constFind(name);
    if (previous != m_seen.cend()) {
        ctx.error(node, QStringLiteral("duplicate %1 name '%2' (first defined on %3)")
                            .arg(m_what, name, describe(*previous)));
        return false;
    }
    m_seen.insert(name, positionOf(node));
    return true;
}

void readListeners(ReadContext &ctx, const YAML::Node &node, QList<Listener> &out)
{
    QList<YAML::Node> redirects;
    forEachItem(ctx, node, QStringLiteral("'listen'"), [&](const YAML::Node &item) {
        MapReader map(ctx, item, QStringLiteral("a listener"), { "bind", "tls", "redirect_https", "allowed_hosts" });
        if (!map.isMap()) {
            return;
        }
        Listener listener;
        listener.pos = positionOf(item);
        readBind(ctx, map, listener.bind, QStringLiteral("a listener"));
        if (map.has("tls")) {
            listener.tls = readListenerTls(ctx, map.value("tls"), QStringLiteral("the listener's 'tls'"));
        }
        map.getBool("redirect_https", listener.redirectHttps);
        readAllowedHosts(ctx, map, listener.allowedHosts);
        if (listener.redirectHttps && listener.tls) {
            ctx.error(map.value("redirect_https"), QStringLiteral("'redirect_https' is for a plain HTTP listener; this one has 'tls'"));
        } else if (listener.redirectHttps) {
            redirects.append(map.value("redirect_https"));
        }
        out.append(listener);
    });
    const bool anyTls = std::any_of(out.cbegin(), out.cend(), [](const Listener &l) { return l.tls.has_value(); });
    if (!anyTls) {
        for (const YAML::Node &redirect : std::as_const(redirects)) {
            ctx.error(redirect, QStringLiteral("'redirect_https' needs a listener with 'tls' to send clients to"));
        }
    }
}

void readAdmin(ReadContext &ctx, const YAML::Node &node, Admin &out)
{
    MapReader map(ctx, node, QStringLiteral("'admin'"), { "bind", "token", "allow_remote", "tls" });
    if (!map.isMap()) {
        return;
    }
    out.pos = positionOf(node);
    const bool bindOk = readBind(ctx, map, out.bind, QStringLiteral("admin"));
    map.require("token");
    map.getSecret("token", out.token);
    map.getBool("allow_remote", out.allowRemote);
    if (map.has("tls")) {
        out.tls = readListenerTls(ctx, map.value("tls"), QStringLiteral("the admin 'tls'"));
    }
    // The admin API can change the running gateway; it is never reachable from the network by
    // accident, only with an explicit opt-in and an encrypted listener.
    if (bindOk && !isLoopbackHost(out.bind.host) && !(out.allowRemote && out.tls)) {
        ctx.error(map.value("bind"),
                  QStringLiteral("admin bind %1 is not a loopback address; the admin API stays on "
                                 "127.0.0.1 or [::1] unless 'allow_remote: true' and 'tls' are both set")
                      .arg(formatHostPort(out.bind)));
    }
}

void readAccessLog(ReadContext &ctx, const YAML::Node &node, AccessLog &out)
{
    MapReader map(ctx, node, QStringLiteral("'access_log'"), { "file", "max_size", "keep" });
    map.require("file");
    if (map.getString("file", out.file) && out.file.isEmpty()) {
        ctx.error(map.value("file"), QStringLiteral("'file' must not be empty"));
    }
    map.getSize("max_size", out.maxSize, 1024);
    map.getInt("keep", out.keep, 0, 1000);
}

void readServices(ReadContext &ctx, const YAML::Node &node, QList<Service> &out)
{
    NameSet names(QStringLiteral("service"));
    forEachItem(ctx, node, QStringLiteral("'services'"), [&](const YAML::Node &item) {
        MapReader map(ctx, item, QStringLiteral("a service"), { "name", "kind", "bind", "delay", "fail_rate" });
        if (!map.isMap()) {
            return;
        }
        Service service;
        service.pos = positionOf(item);
        names.read(ctx, map, service.name);
        if (map.getString("kind", service.kind) && service.kind != u"echo") {
            ctx.error(map.value("kind"), QStringLiteral("unknown service kind '%1'; the only kind is echo").arg(service.kind));
        }
        readBind(ctx, map, service.bind, QStringLiteral("service '%1'").arg(service.name));
        map.getDuration("delay", service.delay);
        map.getNumber("fail_rate", service.failRate, 0.0, 1.0);
        out.append(service);
    });
}

void readLimits(ReadContext &ctx, const YAML::Node &node, Limits &out)
{
    MapReader map(ctx, node, QStringLiteral("'limits'"),
                  { "max_header_bytes", "max_body_bytes", "header_timeout", "idle_timeout", "max_connections",
                    "allow_semicolons" });
    map.getSize("max_header_bytes", out.maxHeaderBytes, 1024);
    map.getSize("max_body_bytes", out.maxBodyBytes, 0);
    map.getDuration("header_timeout", out.headerTimeout, Duration(1));
    map.getDuration("idle_timeout", out.idleTimeout, Duration(1));
    map.getInt("max_connections", out.maxConnections, 1, 1'000'000);
    map.getBool("allow_semicolons", out.allowSemicolons);
}

void checkBinds(ReadContext &ctx)
{
    // localhost is where the engine binds 127.0.0.1, so both spellings are the same socket.
    const auto normalised = [](const QString &host) {
        const QString lower = host.toLower();
        return lower == u"localhost" ? QStringLiteral("127.0.0.1") : lower;
    };
    for (qsizetype i = 0; i < ctx.binds.size(); ++i) {
        const BindUse &later = ctx.binds.at(i);
        if (later.bind.port == 0) {
            continue; // every port-0 socket gets its own free port
        }
        for (qsizetype j = 0; j < i; ++j) {
            const BindUse &earlier = ctx.binds.at(j);
            if (earlier.bind.port != later.bind.port) {
                continue;
            }
            const QString a = normalised(earlier.bind.host);
            const QString b = normalised(later.bind.host);
            const bool sameFamily = a.contains(u':') == b.contains(u':');
            if (a == b || (sameFamily && (isWildcardHost(a) || isWildcardHost(b)))) {
                ctx.error(later.node, QStringLiteral("address %1 is already used by %2 (%3)")
                                          .arg(formatHostPort(later.bind), earlier.owner,
                                               describe(positionOf(earlier.node))));
                break;
            }
        }
    }
}

} // namespace gatehouse::profile::detail
