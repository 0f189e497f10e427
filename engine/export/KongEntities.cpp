#include "KongEntities.h"

#include <yaml-cpp/yaml.h>

#include "engine/export/KongPlugins.h"

namespace gatehouse::exporter::kong {

namespace {

using profile::Balance;

void comment(YAML::Emitter &out, const QString &text)
{
    out << YAML::Comment(text.toStdString());
}

double seconds(std::chrono::milliseconds value)
{
    return double(value.count()) / 1000.0;
}

void emitAlgorithm(YAML::Emitter &out, const profile::Upstream &upstream, ExportNotes &notes)
{
    const QString where = QStringLiteral("upstream ") + upstream.name;
    auto key = [&out](const char *k, const char *v) { out << YAML::Key << k << YAML::Value << v; };
    switch (upstream.balance) {
    case Balance::RoundRobin:
        key("algorithm", "round-robin");
        return;
    case Balance::LeastConnections:
        key("algorithm", "least-connections");
        return;
    case Balance::LeastLatency:
        key("algorithm", "latency"); // Kong 3.2 and later
        return;
    case Balance::IpHash:
        key("algorithm", "consistent-hashing");
        key("hash_on", "ip");
        return;
    case Balance::Random:
        key("algorithm", "round-robin");
        comment(out,
            notes.notExported(
                where, QStringLiteral("balance random (Kong has no random balancer)")));
        return;
    case Balance::ConsistentHash:
        break;
    }
    const QString on = upstream.hashOn;
    key("algorithm", "consistent-hashing");
    if (on == QLatin1String("ip") || on == QLatin1String("path")) {
        out << YAML::Key << "hash_on" << YAML::Value << on.toStdString();
    } else if (on.startsWith(QLatin1String("header:"))) {
        key("hash_on", "header");
        out << YAML::Key << "hash_on_header" << YAML::Value << on.mid(7).toStdString();
    } else if (on.startsWith(QLatin1String("cookie:"))) {
        key("hash_on", "cookie");
        out << YAML::Key << "hash_on_cookie" << YAML::Value << on.mid(7).toStdString();
    } else {
        key("hash_on", "none");
        comment(out,
            notes.notExported(where,
                QStringLiteral("hash_on %1 (Kong hashes on consumers, not claims)").arg(on)));
    }
}

void emitHealthchecks(YAML::Emitter &out, const profile::Upstream &upstream, ExportNotes &notes)
{
    if (!upstream.healthCheck && !upstream.outlier) {
        return;
    }
    out << YAML::Key << "healthchecks" << YAML::Value << YAML::BeginMap;
    if (const auto &check = upstream.healthCheck) {
        out << YAML::Key << "active" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "type" << YAML::Value
            << (upstream.targets.value(0).scheme == QLatin1String("https") ? "https" : "http");
        out << YAML::Key << "http_path" << YAML::Value << check->path.toStdString();
        out << YAML::Key << "timeout" << YAML::Value << seconds(check->timeout);
        out << YAML::Key << "healthy" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "interval" << YAML::Value << seconds(check->interval);
        out << YAML::Key << "successes" << YAML::Value << check->healthyAfter;
        out << YAML::Key << "http_statuses" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        // The registered statuses in the range (Kong's own default list is these for 200-399).
        static const int registered[] = { 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300,
            301, 302, 303, 304, 305, 306, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408,
            409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428,
            429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511 };
        for (const int status : registered) {
            if (status >= check->expectStatusMin && status <= check->expectStatusMax) {
                out << status;
            }
        }
        out << YAML::EndSeq << YAML::EndMap;
        out << YAML::Key << "unhealthy" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "interval" << YAML::Value << seconds(check->interval);
        out << YAML::Key << "http_failures" << YAML::Value << check->unhealthyAfter;
        out << YAML::Key << "tcp_failures" << YAML::Value << check->unhealthyAfter;
        out << YAML::Key << "timeouts" << YAML::Value << check->unhealthyAfter;
        out << YAML::EndMap << YAML::EndMap;
    }
    if (const auto &outlier = upstream.outlier) {
        out << YAML::Key << "passive" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "type" << YAML::Value << "http";
        out << YAML::Key << "unhealthy" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "http_failures" << YAML::Value << outlier->consecutiveFailures;
        out << YAML::Key << "tcp_failures" << YAML::Value << outlier->consecutiveFailures;
        out << YAML::Key << "timeouts" << YAML::Value << outlier->consecutiveFailures;
        out << YAML::EndMap << YAML::EndMap;
        comment(out,
            notes.notExported(QStringLiteral("upstream ") + upstream.name,
                QStringLiteral(
                    "outlier eject_for (Kong re-admits a target through active checks)")));
    }
    out << YAML::EndMap;
}

} // namespace

void emitUpstreams(YAML::Emitter &out, const profile::Profile &profile, ExportNotes &notes)
{
    if (profile.upstreams.isEmpty()) {
        return;
    }
    out << YAML::Key << "upstreams" << YAML::Value << YAML::BeginSeq;
    for (const profile::Upstream &upstream : profile.upstreams) {
        const QString where = QStringLiteral("upstream ") + upstream.name;
        out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << upstream.name.toStdString();
        emitAlgorithm(out, upstream, notes);
        emitHealthchecks(out, upstream, notes);
        if (upstream.circuitBreaker) {
            comment(out, notes.notExported(where, QStringLiteral("circuit_breaker")));
        }
        if (!(upstream.retryBudget == profile::RetryBudget {})) {
            comment(out, notes.notExported(where, QStringLiteral("retry_budget")));
        }
        if (upstream.keepalive != 32) {
            comment(out,
                notes.notExported(where,
                    QStringLiteral("keepalive %1 (upstream_keepalive_pool_size in kong.conf)")
                        .arg(upstream.keepalive)));
        }
        out << YAML::Key << "targets" << YAML::Value << YAML::BeginSeq;
        for (const profile::Target &target : upstream.targets) {
            const QString host = target.host.contains(QLatin1Char(':'))
                ? QLatin1Char('[') + target.host + QLatin1Char(']')
                : target.host;
            out << YAML::BeginMap << YAML::Key << "target" << YAML::Value
                << QStringLiteral("%1:%2").arg(host).arg(target.port).toStdString();
            out << YAML::Key << "weight" << YAML::Value << target.weight << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void emitConsumers(YAML::Emitter &out, const profile::Profile &profile, ExportNotes &notes)
{
    if (profile.jwt.isEmpty()) {
        return;
    }
    // A consumer per JWT profile holds its key; the jwt plugin finds it by the token's `iss`.
    out << YAML::Key << "consumers" << YAML::Value << YAML::BeginSeq;
    for (const profile::JwtProfile &jwt : profile.jwt) {
        const QString where = QStringLiteral("jwt ") + jwt.name;
        out << YAML::BeginMap << YAML::Key << "username" << YAML::Value << jwt.name.toStdString();
        const QString algorithm = jwt.algorithms.value(0);
        const bool hmac = algorithm.startsWith(QLatin1String("HS"));
        // The key is a reference only: the export never reads a secret.
        if (hmac || jwt.publicKey.isSet()) {
            out << YAML::Key << "jwt_secrets" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
            out << YAML::Key << "key" << YAML::Value;
            emitString(out, jwt.issuer.isEmpty() ? jwt.name : jwt.issuer);
            out << YAML::Key << "algorithm" << YAML::Value << algorithm.toStdString();
            out << YAML::Key << (hmac ? "secret" : "rsa_public_key") << YAML::Value
                << vaultReference(hmac ? jwt.secret : jwt.publicKey).toStdString();
            out << YAML::EndMap << YAML::EndSeq;
        }
        if (jwt.algorithms.size() > 1) {
            comment(out,
                notes.notExported(where,
                    QStringLiteral("algorithms after %1 (a Kong jwt_secret has one)")
                        .arg(algorithm)));
        }
        if (!jwt.jwks.isEmpty()) {
            comment(out,
                notes.notExported(
                    where, QStringLiteral("jwks (Kong OSS's jwt plugin takes one key)")));
        }
        if (!jwt.audience.isEmpty()) {
            comment(out,
                notes.notExported(
                    where, QStringLiteral("audience (Kong OSS's jwt plugin does not check aud)")));
        }
        if (jwt.leeway.count() > 0) {
            comment(out, notes.notExported(where, QStringLiteral("leeway")));
        }
        if (!jwt.claimsToHeaders.isEmpty()) {
            comment(out, notes.notExported(where, QStringLiteral("claims_to_headers")));
        }
        if (jwt.revocationStore != QLatin1String("local")) {
            comment(out, notes.notExported(where, QStringLiteral("revocation_store")));
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

} // namespace gatehouse::exporter::kong
