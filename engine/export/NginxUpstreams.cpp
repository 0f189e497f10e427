#include "NginxUpstreams.h"

#include "engine/export/NginxText.h"

namespace gatehouse::exporter::nginx {

namespace {

using profile::Balance;

// nginx OSS's methods, nearest first; what it lacks is said in a comment.
QString balanceLines(const profile::Upstream &upstream, ExportNotes &notes)
{
    const QString where = QStringLiteral("upstream ") + upstream.name;
    switch (upstream.balance) {
    case Balance::RoundRobin:
        return QStringLiteral("    # balance: round_robin (weighted, smooth: nginx's own)\n");
    case Balance::LeastConnections:
        return QStringLiteral("    least_conn;\n");
    case Balance::IpHash:
        // Not nginx's ip_hash, which hashes only the first three octets of an IPv4 address.
        return QStringLiteral("    hash $remote_addr consistent;   # balance: ip_hash\n");
    case Balance::Random:
        return QStringLiteral("    random;\n");
    case Balance::LeastLatency:
        return QStringLiteral(
            "    # %1; nearest: random two least_conn\n    random two least_conn;\n")
            .arg(notes.notExported(
                where, QStringLiteral("balance least_latency (peak EWMA latency)")));
    case Balance::ConsistentHash:
        break;
    }
    const QString on = upstream.hashOn;
    QString key;
    if (on == QLatin1String("ip")) {
        key = QStringLiteral("$remote_addr");
    } else if (on == QLatin1String("path")) {
        key = QStringLiteral("$uri");
    } else if (on.startsWith(QLatin1String("header:"))) {
        key = headerVariable(on.mid(7));
    } else if (on.startsWith(QLatin1String("cookie:"))) {
        key = QStringLiteral("$cookie_") + on.mid(7);
    }
    if (key.isEmpty()) {
        return QStringLiteral("    # %1; round robin instead\n")
            .arg(notes.notExported(where,
                QStringLiteral("consistent_hash on %1 (nginx cannot read JWT claims)").arg(on)));
    }
    return QStringLiteral("    hash %1 consistent;   # consistent_hash on %2\n").arg(key, on);
}

QString serverAddress(const profile::Target &target)
{
    const QString host = target.host.contains(QLatin1Char(':'))
        ? QLatin1Char('[') + target.host + QLatin1Char(']')
        : target.host;
    return host + QLatin1Char(':') + QString::number(target.port);
}

} // namespace

QString upstreamScheme(const profile::Upstream &upstream)
{
    return upstream.targets.isEmpty() ? QStringLiteral("http") : upstream.targets.first().scheme;
}

QString upstreamBlocks(const profile::Profile &profile, ExportNotes &notes)
{
    QString out;
    for (const profile::Upstream &upstream : profile.upstreams) {
        const QString where = QStringLiteral("upstream ") + upstream.name;
        out += QStringLiteral("upstream %1 {\n").arg(upstream.name);
        out += balanceLines(upstream, notes);
        // Without `outlier` the gateway never ejects a target on its own: max_fails=0 turns off
        // nginx's default passive ejection (1 failure, 10s) so both behave alike.
        const QString failures = upstream.outlier ? QStringLiteral(" max_fails=%1 fail_timeout=%2")
                                                        .arg(upstream.outlier->consecutiveFailures)
                                                        .arg(duration(upstream.outlier->ejectFor))
                                                  : QStringLiteral(" max_fails=0");
        for (const profile::Target &target : upstream.targets) {
            out += QStringLiteral("    server %1").arg(serverAddress(target));
            if (target.weight != 1) {
                out += QStringLiteral(" weight=%1").arg(target.weight);
            }
            out += failures + QStringLiteral(";\n");
            if (target.scheme != upstreamScheme(upstream)) {
                out += QStringLiteral("    # %1\n")
                           .arg(notes.notExported(where,
                               QStringLiteral("target %1 mixes http and https in one upstream")
                                   .arg(target.url)));
            }
        }
        if (upstream.keepalive > 0) {
            out += QStringLiteral("    keepalive %1;\n").arg(upstream.keepalive);
        }
        if (upstream.healthCheck) {
            out += QStringLiteral("    # %1\n")
                       .arg(notes.notExported(where,
                           QStringLiteral(
                               "health_check on %1 every %2 (active checks are nginx Plus only)")
                               .arg(upstream.healthCheck->path,
                                   duration(upstream.healthCheck->interval))));
        }
        if (upstream.circuitBreaker) {
            out += QStringLiteral("    # %1\n")
                       .arg(notes.notExported(where,
                           QStringLiteral("circuit_breaker (error rate %1%)")
                               .arg(upstream.circuitBreaker->errorRatePercent)));
        }
        if (!(upstream.retryBudget == profile::RetryBudget {})) {
            out += QStringLiteral("    # %1\n")
                       .arg(notes.notExported(where,
                           QStringLiteral("retry_budget (%1% of requests)")
                               .arg(upstream.retryBudget.percent)));
        }
        out += QStringLiteral("}\n\n");
    }
    return out;
}

QString upstreamProxyDirectives(
    const profile::Upstream &upstream, const QString &baseDir, const QString &indent)
{
    QString out;
    out += indent
        + QStringLiteral("proxy_connect_timeout %1;\n").arg(duration(upstream.connectTimeout));
    if (upstreamScheme(upstream) == QLatin1String("https")) {
        const profile::UpstreamTls tls = upstream.tls.value_or(profile::UpstreamTls {});
        out += indent + QStringLiteral("proxy_ssl_server_name on;\n");
        out += indent
            + QStringLiteral("proxy_ssl_verify %1;\n")
                  .arg(tls.verify ? QStringLiteral("on") : QStringLiteral("off"));
        const QString trusted = tls.ca.isEmpty()
            ? QStringLiteral("/etc/ssl/certs/ca-certificates.crt")
            : absolutePath(baseDir, tls.ca);
        if (tls.verify) {
            out += indent
                + QStringLiteral("proxy_ssl_trusted_certificate %1;\n").arg(quoted(trusted));
        }
        if (!tls.serverName.isEmpty()) {
            out += indent + QStringLiteral("proxy_ssl_name %1;\n").arg(quoted(tls.serverName));
        } else if (!upstream.targets.isEmpty()) {
            out += indent
                + QStringLiteral("proxy_ssl_name %1;\n").arg(quoted(upstream.targets.first().host));
        }
    }
    return out;
}

} // namespace gatehouse::exporter::nginx
