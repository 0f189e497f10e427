// upstreams: target pools with balancing, health checks, outlier ejection and circuit breaking.

#include "SectionReaders.h"

#include "Values.h"

namespace gatehouse::profile::detail {

namespace {

void readTargets(ReadContext &ctx, MapReader &upstream, QList<Target> &out)
{
    if (!upstream.require("targets")) {
        return;
    }
    const YAML::Node node = upstream.value("targets");
    if (node.IsNull() || (node.IsSequence() && node.size() == 0)) {
        ctx.error(upstream.keyNode("targets"), QStringLiteral("'targets' needs at least one target"));
        return;
    }
    forEachItem(ctx, node, QStringLiteral("'targets'"),
                [&](const YAML::Node &item) {
                    MapReader map(ctx, item, QStringLiteral("a target"), { "url", "weight" });
                    if (!map.isMap()) {
                        return;
                    }
                    QString url;
                    if (!map.require("url") || !map.getString("url", url)) {
                        return;
                    }
                    QString error;
                    auto target = parseTargetUrl(url, &error);
                    if (!target) {
                        ctx.error(map.value("url"), error);
                        return;
                    }
                    for (const Target &other : std::as_const(out)) {
                        if (other.host.compare(target->host, Qt::CaseInsensitive) == 0
                            && other.port == target->port && other.scheme == target->scheme) {
                            ctx.error(map.value("url"), QStringLiteral("target %1 is listed twice; use 'weight' instead").arg(url));
                            return;
                        }
                    }
                    target->pos = positionOf(item);
                    map.getInt("weight", target->weight, 1, 1000);
                    out.append(*target);
                });
}

std::optional<UpstreamTls> readTls(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("the upstream 'tls'"), { "ca", "verify", "server_name" });
    UpstreamTls tls;
    map.getString("ca", tls.ca);
    map.getBool("verify", tls.verify);
    if (map.getString("server_name", tls.serverName) && !isHostPattern(tls.serverName)) {
        ctx.error(map.value("server_name"), QStringLiteral("invalid server_name '%1'").arg(tls.serverName));
    }
    return tls;
}

// "200-399", "200-299" or a single status (200): the statuses a health check accepts.
void readStatusRange(ReadContext &ctx, MapReader &map, HealthCheck &check)
{
    QString text;
    if (!map.getString("expect_status", text)) {
        return;
    }
    const QStringList parts = text.split(u'-');
    bool lowOk = false;
    bool highOk = parts.size() == 1;
    const int low = parts.value(0).trimmed().toInt(&lowOk);
    const int high = parts.size() == 2 ? parts.at(1).trimmed().toInt(&highOk) : low;
    if (parts.size() > 2 || !lowOk || !highOk || low < 100 || high > 599 || low > high) {
        ctx.error(map.value("expect_status"),
                  QStringLiteral("'expect_status' must be a status or a range LOW-HIGH within 100-599, e.g. 200-399, not %1").arg(text));
        return;
    }
    check.expectStatusMin = low;
    check.expectStatusMax = high;
}

std::optional<HealthCheck> readHealthCheck(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'health_check'"),
                  { "path", "interval", "timeout", "healthy_after", "unhealthy_after", "expect_status" });
    HealthCheck check;
    if (map.getString("path", check.path) && !check.path.startsWith(u'/')) {
        ctx.error(map.value("path"), QStringLiteral("health check path '%1' must start with '/'").arg(check.path));
    }
    const bool intervalOk = map.getDuration("interval", check.interval, Duration(100));
    const bool timeoutOk = map.getDuration("timeout", check.timeout, Duration(1));
    if ((intervalOk || timeoutOk) && check.timeout > check.interval) {
        ctx.error(map.value(timeoutOk ? "timeout" : "interval"),
                  QStringLiteral("health check timeout must not be longer than its interval"));
    }
    map.getInt("healthy_after", check.healthyAfter, 1, 100);
    map.getInt("unhealthy_after", check.unhealthyAfter, 1, 100);
    readStatusRange(ctx, map, check);
    return check;
}

std::optional<Outlier> readOutlier(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'outlier'"), { "consecutive_failures", "eject_for" });
    Outlier outlier;
    map.getInt("consecutive_failures", outlier.consecutiveFailures, 1, 1000);
    map.getDuration("eject_for", outlier.ejectFor, Duration(1));
    return outlier;
}

// "50%" (or a plain 50): above 0 and up to 100.
void readPercent(ReadContext &ctx, MapReader &map, const char *key, double &out)
{
    const YAML::Node node = map.value(key);
    if (!node.IsDefined()) {
        return;
    }
    QString text;
    if (!map.getString(key, text)) {
        return;
    }
    bool ok = false;
    const double value = (text.endsWith(u'%') ? text.chopped(1) : text).toDouble(&ok);
    if (!ok || !(value > 0.0 && value <= 100.0)) {
        ctx.error(node, QStringLiteral("'%1' must be a percentage above 0% and up to 100%, e.g. 50%, not %2")
                            .arg(QLatin1String(key), text));
        return;
    }
    out = value;
}

std::optional<CircuitBreaker> readCircuitBreaker(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'circuit_breaker'"),
                  { "error_rate", "min_requests", "window", "open_for" });
    CircuitBreaker breaker;
    readPercent(ctx, map, "error_rate", breaker.errorRatePercent);
    map.getInt("min_requests", breaker.minRequests, 1, 1'000'000);
    map.getDuration("window", breaker.window, Duration(1));
    map.getDuration("open_for", breaker.openFor, Duration(1));
    return breaker;
}

RetryBudget readRetryBudget(ReadContext &ctx, const YAML::Node &node)
{
    MapReader map(ctx, node, QStringLiteral("'retry_budget'"), { "percent", "min_per_second", "window" });
    RetryBudget budget;
    readPercent(ctx, map, "percent", budget.percent);
    map.getInt("min_per_second", budget.minPerSecond, 0, 100'000);
    map.getDuration("window", budget.window, Duration(100));
    return budget;
}

} // namespace

void readUpstreams(ReadContext &ctx, const YAML::Node &node, QList<Upstream> &out)
{
    NameSet names(QStringLiteral("upstream"));
    forEachItem(ctx, node, QStringLiteral("'upstreams'"), [&](const YAML::Node &item) {
        MapReader map(ctx, item, QStringLiteral("an upstream"),
                      { "name", "balance", "hash_on", "targets", "connect_timeout", "keepalive", "tls",
                        "health_check", "outlier", "circuit_breaker", "retry_budget" });
        if (!map.isMap()) {
            return;
        }
        Upstream upstream;
        upstream.pos = positionOf(item);
        names.read(ctx, map, upstream.name);

        QString balance;
        bool balanceOk = true;
        if (map.getString("balance", balance)) {
            const auto parsed = parseBalance(balance);
            if (parsed) {
                upstream.balance = *parsed;
            } else {
                balanceOk = false;
                ctx.error(map.value("balance"), QStringLiteral("unknown balance '%1'; use one of: %2")
                                                    .arg(balance, balanceNames().join(QStringLiteral(", "))));
            }
        }
        QString error;
        if (map.getString("hash_on", upstream.hashOn) && !isValidHashOn(upstream.hashOn, &error)) {
            ctx.error(map.value("hash_on"), error);
        }
        if (balanceOk && map.has("hash_on") && upstream.balance != Balance::ConsistentHash) {
            ctx.error(map.keyNode("hash_on"), QStringLiteral("'hash_on' only applies to balance: consistent_hash"));
        }
        if (upstream.balance == Balance::ConsistentHash && !map.has("hash_on")) {
            ctx.error(map.value("balance"), QStringLiteral("balance: consistent_hash needs 'hash_on' "
                                                           "(ip, path, header:NAME, cookie:NAME or claim:NAME)"));
        }

        readTargets(ctx, map, upstream.targets);
        map.getDuration("connect_timeout", upstream.connectTimeout, Duration(1));
        map.getInt("keepalive", upstream.keepalive, 0, 10'000);
        if (map.has("tls")) {
            upstream.tls = readTls(ctx, map.value("tls"));
        }
        if (map.has("health_check")) {
            upstream.healthCheck = readHealthCheck(ctx, map.value("health_check"));
        }
        if (map.has("outlier")) {
            upstream.outlier = readOutlier(ctx, map.value("outlier"));
        }
        if (map.has("circuit_breaker")) {
            upstream.circuitBreaker = readCircuitBreaker(ctx, map.value("circuit_breaker"));
        }
        if (map.has("retry_budget")) {
            upstream.retryBudget = readRetryBudget(ctx, map.value("retry_budget"));
        }
        out.append(upstream);
    });
}

} // namespace gatehouse::profile::detail
