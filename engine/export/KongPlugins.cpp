#include "KongPlugins.h"

#include <chrono>

#include <yaml-cpp/yaml.h>

#include <QRegularExpression>

namespace gatehouse::exporter::kong {

namespace {

const profile::RateLimitProfile *rateLimitNamed(
    const profile::Profile &profile, const QString &name)
{
    for (const profile::RateLimitProfile &limit : profile.rateLimits) {
        if (limit.name == name) {
            return &limit;
        }
    }
    return nullptr;
}

void comment(YAML::Emitter &out, const QString &text)
{
    out << YAML::Comment(text.toStdString());
}

// Kong counts fixed windows of a second, minute, hour or day; the limit must fit one exactly.
bool rateWindow(const profile::RateLimitProfile &limit, std::string *unit, qint64 *count)
{
    const qint64 per = limit.per.count();
    const std::pair<const char *, qint64> units[] = { { "second", 1000 }, { "minute", 60'000 },
        { "hour", 3'600'000 }, { "day", 86'400'000 } };
    for (const auto &[name, ms] : units) {
        if (per == ms) { // the profile's own window: 600 per 1m stays 600 a minute
            *unit = name;
            *count = limit.requests;
            return true;
        }
    }
    for (const auto &[name, ms] : units) {
        if ((limit.requests * ms) % per == 0) {
            *unit = name;
            *count = limit.requests * ms / per;
            return true;
        }
    }
    return false;
}

bool emitRateLimiting(YAML::Emitter &out, const profile::Route &route,
    const profile::RateLimitProfile &limit, ExportNotes &notes)
{
    const QString where = QStringLiteral("route ") + route.name;
    std::string unit;
    qint64 count = 0;
    if (!rateWindow(limit, &unit, &count)) {
        comment(out,
            notes.notExported(where,
                QStringLiteral("rate_limit %1 (%2 per %3 fits no Kong window)")
                    .arg(limit.name)
                    .arg(limit.requests)
                    .arg(limit.per.count())));
        return false;
    }
    QString limitBy;
    if (limit.key == QLatin1String("consumer")) {
        limitBy = QStringLiteral("consumer");
    } else if (limit.key == QLatin1String("ip")) {
        limitBy = QStringLiteral("ip");
    } else if (limit.key == QLatin1String("route")) {
        limitBy = QStringLiteral("service"); // one service per route
    } else if (limit.key.startsWith(QLatin1String("header:"))) {
        limitBy = QStringLiteral("header");
    } else {
        comment(out,
            notes.notExported(where,
                QStringLiteral("rate_limit %1 keyed %2 (one bucket across routes)")
                    .arg(limit.name, limit.key)));
        return false;
    }
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "rate-limiting";
    out << YAML::Key << "config" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << unit << YAML::Value << count;
    out << YAML::Key << "limit_by" << YAML::Value << limitBy.toStdString();
    if (limitBy == QLatin1String("header")) {
        out << YAML::Key << "header_name" << YAML::Value << limit.key.mid(7).toStdString();
    }
    const QRegularExpression redis(QStringLiteral("^redis://([^:/]+)(?::(\\d+))?(?:/(\\d+))?$"));
    const auto match = redis.match(limit.store);
    if (match.hasMatch()) {
        out << YAML::Key << "policy" << YAML::Value << "redis";
        out << YAML::Key << "redis_host" << YAML::Value << match.captured(1).toStdString();
        out << YAML::Key << "redis_port" << YAML::Value
            << (match.captured(2).isEmpty() ? 6379 : match.captured(2).toInt());
        out << YAML::Key << "redis_database" << YAML::Value << match.captured(3).toInt();
    } else {
        out << YAML::Key << "policy" << YAML::Value << "local";
    }
    out << YAML::Key << "fault_tolerant" << YAML::Value << !limit.failClosed;
    out << YAML::EndMap << YAML::EndMap;
    if (limit.burst > 0) {
        comment(out,
            notes.notExported(where,
                QStringLiteral("rate_limit %1 burst %2 (Kong counts fixed windows)")
                    .arg(limit.name)
                    .arg(limit.burst)));
    }
    return true;
}

void emitJwt(YAML::Emitter &out, const profile::Profile &profile, const profile::Route &route,
    ExportNotes &notes)
{
    const QString where = QStringLiteral("route ") + route.name;
    const profile::JwtProfile *jwt = nullptr;
    for (const profile::JwtProfile &j : profile.jwt) {
        if (j.name == route.auth) {
            jwt = &j;
        }
    }
    if (!jwt) {
        return;
    }
    QStringList headers;
    QStringList cookies;
    QStringList query;
    for (const QString &from : jwt->tokenFrom) {
        const QString name = from.section(QLatin1Char(':'), 1);
        (from.startsWith(QLatin1String("header:"))          ? headers
                : from.startsWith(QLatin1String("cookie:")) ? cookies
                                                            : query)
            .append(name.toLower());
    }
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "jwt";
    out << YAML::Key << "config" << YAML::Value << YAML::BeginMap;
    // The consumer's jwt_secret is found by the token's `iss` (the profile's issuer, else its
    // name).
    out << YAML::Key << "key_claim_name" << YAML::Value << "iss";
    out << YAML::Key << "claims_to_verify" << YAML::Value << YAML::Flow << YAML::BeginSeq << "exp"
        << "nbf" << YAML::EndSeq;
    auto list = [&out](const char *key, const QStringList &values) {
        out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const QString &v : values) {
            out << v.toStdString();
        }
        out << YAML::EndSeq;
    };
    list("header_names", headers);
    list("cookie_names", cookies);
    list("uri_param_names", query);
    out << YAML::EndMap << YAML::EndMap;
    if (!route.require.isEmpty()) {
        comment(out, notes.notExported(where, QStringLiteral("require (claim conditions)")));
    }
}

void emitCors(YAML::Emitter &out, const profile::Route &route)
{
    const profile::Cors &cors = *route.cors;
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "cors";
    out << YAML::Key << "config" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "origins" << YAML::Value << YAML::BeginSeq;
    for (const QString &origin : cors.origins) {
        // Kong reads an origin with regex characters as a regex: '*' in a host becomes one.
        QString value = origin;
        if (origin != QLatin1String("*") && origin.contains(QLatin1Char('*'))) {
            value = literalRegex(origin).replace(
                QStringLiteral("\\*"), QStringLiteral("[A-Za-z0-9.-]+"));
        }
        emitString(out, value);
    }
    out << YAML::EndSeq;
    QStringList methods = cors.methods.isEmpty() ? route.match.methods : cors.methods;
    if (!methods.isEmpty()) {
        out << YAML::Key << "methods" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const QString &m : methods) {
            out << m.toStdString();
        }
        out << YAML::EndSeq;
    }
    if (!cors.headers.isEmpty()) {
        out << YAML::Key << "headers" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const QString &h : cors.headers) {
            out << h.toStdString();
        }
        out << YAML::EndSeq;
    }
    out << YAML::Key << "credentials" << YAML::Value << cors.credentials;
    const auto maxAge = std::chrono::duration_cast<std::chrono::seconds>(cors.maxAge).count();
    if (maxAge > 0) {
        out << YAML::Key << "max_age" << YAML::Value << static_cast<long long>(maxAge);
    }
    out << YAML::EndMap << YAML::EndMap;
}

void emitTermination(YAML::Emitter &out, const profile::Route &route, ExportNotes &notes)
{
    const profile::Respond &respond = *route.respond;
    QString contentType = QStringLiteral("application/json");
    for (const auto &[name, value] : respond.headers) {
        if (name.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0) {
            contentType = value;
        } else {
            comment(out,
                notes.notExported(QStringLiteral("route ") + route.name,
                    QStringLiteral("respond header %1 (request-termination sets only Content-Type)")
                        .arg(name)));
        }
    }
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "request-termination";
    out << YAML::Key << "config" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "status_code" << YAML::Value << respond.status;
    out << YAML::Key << "content_type" << YAML::Value;
    emitString(out, contentType);
    out << YAML::Key << "body" << YAML::Value;
    emitString(out, QString::fromUtf8(respond.body));
    out << YAML::EndMap << YAML::EndMap;
}

} // namespace

QString literalRegex(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (QStringLiteral("\\.+*?()|[]{}^$#&-~").contains(c)) {
            out.append(QLatin1Char('\\'));
        }
        out.append(c);
    }
    return out;
}

void emitString(YAML::Emitter &out, const QString &text)
{
    static const QRegularExpression special(QStringLiteral(
        "^(?:[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|true|false|True|False|TRUE|"
        "FALSE|"
        "yes|no|Yes|No|YES|NO|on|off|On|Off|ON|OFF|y|n|Y|N|null|Null|NULL|~|\\.inf|\\.nan|)$"));
    if (special.match(text).hasMatch()) {
        out << YAML::DoubleQuoted;
    }
    out << text.toStdString();
}

QString vaultReference(const profile::SecretRef &secret)
{
    QString name = secret.name;
    if (secret.kind != profile::SecretRef::Kind::Env) {
        // keychain:shop-admin -> SHOP_ADMIN; file:keys/pub.pem -> PUB_PEM
        name = name.section(QLatin1Char('/'), -1).toUpper();
        for (QChar &c : name) {
            if (!(c.isLetterOrNumber() && c.unicode() < 128)) {
                c = QLatin1Char('_');
            }
        }
    }
    return QStringLiteral("{vault://env/%1}").arg(name);
}

void emitRoutePlugins(YAML::Emitter &out, const profile::Profile &profile,
    const profile::Route &route, ExportNotes &notes)
{
    const QString where = QStringLiteral("route ") + route.name;
    const bool any
        = !route.auth.isEmpty() || !route.rateLimit.isEmpty() || route.cors || route.respond;
    if (route.canary) {
        comment(out,
            notes.notExported(where,
                QStringLiteral("canary to %1 (Kong OSS has no canary plugin)")
                    .arg(route.canary->upstream)));
    }
    if (route.fault) {
        comment(out, notes.notExported(where, QStringLiteral("fault injection")));
    }
    if (route.compress) {
        comment(out,
            notes.notExported(
                where, QStringLiteral("compress (gzip is set in kong.conf, not per route)")));
    }
    if (!any) {
        return;
    }
    out << YAML::Key << "plugins" << YAML::Value << YAML::BeginSeq;
    if (!route.auth.isEmpty()) {
        emitJwt(out, profile, route, notes);
    }
    bool limited = false;
    for (const QString &name : route.rateLimit) {
        const profile::RateLimitProfile *limit = rateLimitNamed(profile, name);
        if (!limit) {
            continue;
        }
        if (limited) {
            // Kong takes one rate-limiting plugin per route.
            comment(out,
                notes.notExported(where,
                    QStringLiteral("rate_limit %1 (Kong allows one rate-limiting plugin per route)")
                        .arg(name)));
            continue;
        }
        limited = emitRateLimiting(out, route, *limit, notes);
    }
    if (route.cors) {
        emitCors(out, route);
    }
    if (route.respond) {
        emitTermination(out, route, notes);
    }
    out << YAML::EndSeq;
}

} // namespace gatehouse::exporter::kong
