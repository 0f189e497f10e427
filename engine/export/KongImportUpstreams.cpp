// decK upstreams and targets -> profile upstreams: algorithms, hashing, active and passive
// health checks, weights. The inverse of KongEntities.cpp's emitUpstreams.
#include <numeric>

#include "engine/export/KongImportContext.h"
#include "engine/profile/Values.h"

namespace gatehouse::exporter::kongimport {

namespace {

using profile::Balance;

void readAlgorithm(ImportContext &ctx, const YAML::Node &node, profile::Upstream &upstream)
{
    const QString where = QStringLiteral("upstream ") + upstream.name;
    const QString algorithm = text(child(node, "algorithm"));
    const QString hashOn = text(child(node, "hash_on"));
    if (algorithm.isEmpty() || algorithm == QLatin1String("round-robin")) {
        upstream.balance = Balance::RoundRobin;
    } else if (algorithm == QLatin1String("least-connections")) {
        upstream.balance = Balance::LeastConnections;
    } else if (algorithm == QLatin1String("latency")) {
        upstream.balance = Balance::LeastLatency;
    } else if (algorithm == QLatin1String("consistent-hashing")) {
        if (hashOn == QLatin1String("ip")) {
            upstream.balance = Balance::IpHash; // as the exporter writes ip_hash
        } else if (hashOn == QLatin1String("path")) {
            upstream.balance = Balance::ConsistentHash;
            upstream.hashOn = QStringLiteral("path");
        } else if (hashOn == QLatin1String("header")
            && !text(child(node, "hash_on_header")).isEmpty()) {
            upstream.balance = Balance::ConsistentHash;
            upstream.hashOn = QStringLiteral("header:") + text(child(node, "hash_on_header"));
        } else if (hashOn == QLatin1String("cookie")
            && !text(child(node, "hash_on_cookie")).isEmpty()) {
            upstream.balance = Balance::ConsistentHash;
            upstream.hashOn = QStringLiteral("cookie:") + text(child(node, "hash_on_cookie"));
        } else {
            ctx.notMapped(child(node, "hash_on").IsDefined() ? child(node, "hash_on")
                                                             : child(node, "algorithm"),
                QStringLiteral("%1: consistent-hashing on %2 (balanced round_robin)")
                    .arg(where, hashOn.isEmpty() ? QStringLiteral("none") : hashOn));
        }
    } else {
        ctx.notMapped(child(node, "algorithm"),
            QStringLiteral("%1: algorithm %2 (balanced round_robin)").arg(where, algorithm));
    }
    const QString fallback = text(child(node, "hash_fallback"));
    if (!fallback.isEmpty() && fallback != QLatin1String("none")) {
        ctx.notMapped(child(node, "hash_fallback"),
            QStringLiteral("%1: hash_fallback %2").arg(where, fallback));
    }
}

// Kong's healthy.http_statuses is a list; the profile's expect_status a range.
void readStatuses(
    ImportContext &ctx, const YAML::Node &node, profile::HealthCheck &check, const QString &where)
{
    const QStringList statuses = texts(node);
    if (statuses.isEmpty()) {
        return;
    }
    int low = 599;
    int high = 100;
    for (const QString &status : statuses) {
        low = qMin(low, status.toInt());
        high = qMax(high, status.toInt());
    }
    check.expectStatusMin = low;
    check.expectStatusMax = high;
    // The exporter writes the registered statuses of a range; a list with other gaps is wider here.
    static const int registered[] = { 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301,
        302, 303, 304, 305, 306, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410,
        411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
        500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511 };
    // Up to the next registered status: 200..308 is 200-399 as the exporter wrote it.
    for (const int status : registered) {
        if (status > high) {
            check.expectStatusMax = status - 1;
            break;
        }
    }
    for (const int status : registered) {
        if (status >= low && status <= high && !statuses.contains(QString::number(status))) {
            ctx.notMapped(node,
                QStringLiteral("%1: healthy http_statuses as listed (taken as the range %2-%3)")
                    .arg(where)
                    .arg(low)
                    .arg(check.expectStatusMax));
            return;
        }
    }
}

profile::Duration seconds(ImportContext &ctx, const YAML::Node &node, double fallback)
{
    return profile::Duration(qint64(number(ctx, node, fallback).value_or(fallback) * 1000.0 + 0.5));
}

void readHealthchecks(ImportContext &ctx, const YAML::Node &node, profile::Upstream &upstream)
{
    const QString where = QStringLiteral("upstream %1: healthchecks").arg(upstream.name);
    if (!node.IsDefined() || !node.IsMap()) {
        return;
    }
    ctx.unknownKeys(node, { "active", "passive", "threshold" }, where);
    const YAML::Node active = child(node, "active");
    const YAML::Node healthy = child(active, "healthy");
    const YAML::Node unhealthy = child(active, "unhealthy");
    // Kong runs active checks only with a non-zero interval (its default is 0: off).
    const double interval = number(ctx, child(healthy, "interval"), 0).value_or(0);
    const double unhealthyInterval = number(ctx, child(unhealthy, "interval"), 0).value_or(0);
    if (active.IsDefined() && active.IsMap() && (interval > 0 || unhealthyInterval > 0)) {
        ctx.unknownKeys(active,
            { "type", "http_path", "timeout", "healthy", "unhealthy", "concurrency",
                "https_verify_certificate", "https_sni", "headers" },
            where + QStringLiteral(".active"));
        profile::HealthCheck check;
        check.path = text(child(active, "http_path")).isEmpty() ? QStringLiteral("/")
                                                                : text(child(active, "http_path"));
        check.timeout = seconds(ctx, child(active, "timeout"), 1);
        check.interval
            = seconds(ctx, child(healthy, "interval"), interval > 0 ? interval : unhealthyInterval);
        if (interval > 0 && unhealthyInterval > 0 && interval != unhealthyInterval) {
            ctx.notMapped(child(unhealthy, "interval"),
                QStringLiteral("%1: unhealthy interval %2s (one interval: %3s)")
                    .arg(where)
                    .arg(unhealthyInterval)
                    .arg(interval));
        }
        check.healthyAfter = int(number(ctx, child(healthy, "successes"), 0).value_or(0));
        if (check.healthyAfter <= 0) {
            check.healthyAfter = 1;
        }
        check.unhealthyAfter = int(number(ctx, child(unhealthy, "http_failures"), 0).value_or(0));
        if (check.unhealthyAfter <= 0) {
            check.unhealthyAfter
                = int(number(ctx, child(unhealthy, "tcp_failures"), 3).value_or(3));
        }
        if (check.unhealthyAfter <= 0) {
            check.unhealthyAfter = 3;
        }
        readStatuses(ctx, child(healthy, "http_statuses"), check, where);
        if (!texts(child(active, "headers")).isEmpty()
            || (child(active, "headers").IsDefined() && child(active, "headers").IsMap())) {
            ctx.notMapped(child(active, "headers"), where + QStringLiteral(".active: headers"));
        }
        upstream.healthCheck = check;
    }
    const YAML::Node passive = child(child(node, "passive"), "unhealthy");
    const int failures = int(qMax(number(ctx, child(passive, "http_failures"), 0).value_or(0),
        number(ctx, child(passive, "tcp_failures"), 0).value_or(0)));
    if (failures > 0) {
        profile::Outlier outlier;
        outlier.consecutiveFailures = failures;
        upstream.outlier = outlier;
    }
}

void readTargets(ImportContext &ctx, const YAML::Node &node, profile::Upstream &upstream)
{
    QList<int> weights;
    for (const YAML::Node &item : node) {
        ctx.unknownKeys(item, { "target", "weight", "id", "tags", "created_at" },
            QStringLiteral("upstream %1: target").arg(upstream.name));
        const QString address = text(child(item, "target"));
        // Kong's default target weight is 100 and its default port 8000.
        const int weight = int(number(ctx, child(item, "weight"), 100).value_or(100));
        if (weight <= 0) {
            ctx.notMapped(item,
                QStringLiteral("upstream %1: target %2 with weight 0 (disabled)")
                    .arg(upstream.name, address));
            continue;
        }
        const bool hasPort = address.startsWith(QLatin1Char('['))
            ? address.contains(QLatin1String("]:"))
            : address.contains(QLatin1Char(':'));
        const QString url
            = QStringLiteral("http://") + address + (hasPort ? QString() : QStringLiteral(":8000"));
        std::optional<profile::Target> target = profile::parseTargetUrl(url);
        if (!target) {
            ctx.error(child(item, "target"),
                QStringLiteral("upstream %1: target '%2' is not HOST:PORT")
                    .arg(upstream.name, address));
            continue;
        }
        target->pos = {};
        upstream.targets.append(*target);
        weights.append(weight);
    }
    // Only the ratios matter: 100/100 is 1/1 as the profile writes it.
    const int divisor = std::accumulate(
        weights.cbegin(), weights.cend(), 0, [](int a, int b) { return std::gcd(a, b); });
    for (int i = 0; i < upstream.targets.size(); ++i) {
        upstream.targets[i].weight = divisor > 0 ? weights.at(i) / divisor : weights.at(i);
    }
}

} // namespace

void readUpstreams(ImportContext &ctx, const YAML::Node &upstreams)
{
    for (const YAML::Node &node : upstreams) {
        profile::Upstream upstream;
        upstream.name = safeName(text(child(node, "name")));
        if (upstream.name.isEmpty()) {
            ctx.error(node, QStringLiteral("an upstream needs a name"));
            continue;
        }
        ctx.unknownKeys(node,
            { "name", "id", "tags", "algorithm", "hash_on", "hash_on_header", "hash_on_cookie",
                "hash_on_cookie_path", "hash_fallback", "slots", "healthchecks", "targets",
                "created_at" },
            QStringLiteral("upstream ") + upstream.name);
        readAlgorithm(ctx, node, upstream);
        readHealthchecks(ctx, child(node, "healthchecks"), upstream);
        readTargets(ctx, child(node, "targets"), upstream);
        if (upstream.targets.isEmpty()) {
            ctx.error(node, QStringLiteral("upstream %1 has no targets").arg(upstream.name));
            continue;
        }
        ctx.profile.upstreams.append(upstream);
    }
}

} // namespace gatehouse::exporter::kongimport
