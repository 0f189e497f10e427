#include "AdminApi.h"

#include <openssl/crypto.h>

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include "engine/core/Gateway.h"
#include "engine/core/RequestHistory.h"
#include "engine/profile/ProfileJson.h"
#include "engine/profile/ProfileReader.h"

namespace gatehouse::engine {

namespace {

// A PUT profile is read as one: a body this large is a mistake, not a profile.
constexpr qsizetype kMaxProfileBytes = 4 * 1024 * 1024;

AdminReply json(int status, const QJsonObject &object)
{
    return { status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n', {} };
}

AdminReply error(int status, const char *code, const QString &message)
{
    return json(status, { { QStringLiteral("error"), QString::fromLatin1(code) }, { QStringLiteral("message"), message } });
}

QJsonObject targetJson(const TargetStatus &target)
{
    return { { QStringLiteral("url"), target.url },
             { QStringLiteral("weight"), target.weight },
             { QStringLiteral("healthy"), target.healthy },
             { QStringLiteral("health_checked"), target.checked },
             { QStringLiteral("last_check"), target.lastCheck.isEmpty() ? QJsonValue() : QJsonValue(target.lastCheck) },
             { QStringLiteral("ejected"), target.ejected },
             { QStringLiteral("ejected_for_ms"), target.ejectedForMs },
             { QStringLiteral("ejections"), target.ejections },
             { QStringLiteral("available"), target.available },
             { QStringLiteral("in_flight"), target.inFlight },
             { QStringLiteral("ewma_latency_ms"), target.latencyMs },
             { QStringLiteral("requests"), qint64(target.requests) },
             { QStringLiteral("failures"), qint64(target.failures) } };
}

} // namespace

AdminApi::AdminApi(Gateway &gateway)
    : m_gateway(gateway)
    , m_startedMs(QDateTime::currentMSecsSinceEpoch())
{
}

void AdminApi::setToken(QByteArray token)
{
    m_tokenDigest = token.isEmpty() ? QByteArray() : QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

bool AdminApi::authorized(const QByteArray &authorization) const
{
    if (m_tokenDigest.isEmpty() || !authorization.startsWith("Bearer ")) {
        return false;
    }
    // Digests of equal length compared with CRYPTO_memcmp: the time taken says nothing about how
    // much of a guess was right, nor about the token's length.
    const QByteArray given = QCryptographicHash::hash(authorization.mid(7).trimmed(), QCryptographicHash::Sha256);
    return CRYPTO_memcmp(given.constData(), m_tokenDigest.constData(), size_t(given.size())) == 0;
}

AdminReply AdminApi::handle(const AdminRequest &request)
{
    const QByteArray &path = request.path;
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (path == "/health") {
        return get ? json(200, { { QStringLiteral("status"), QStringLiteral("ok") } })
                   : error(405, "method_not_allowed", QStringLiteral("use GET"));
    }
    if (path == "/ready") {
        const bool ready = m_gateway.isRunning() && !m_gateway.isDraining();
        return json(ready ? 200 : 503, { { QStringLiteral("ready"), ready } });
    }
    if (!path.startsWith("/admin/") && path != "/metrics") {
        return error(404, "not_found", QStringLiteral("no admin call at %1").arg(QString::fromUtf8(path)));
    }
    if (!authorized(request.authorization)) {
        AdminReply reply = error(401, "unauthorized", QStringLiteral("this call needs Authorization: Bearer <admin token>"));
        reply.headers.append({ QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"gatehouse-admin\"") });
        return reply;
    }
    if (path == "/admin/status" && get) {
        return status();
    }
    if (path == "/admin/profile" && get) {
        return profile();
    }
    if (path == "/admin/profile" && request.method == "PUT") {
        return putProfile(request);
    }
    if (path == "/admin/upstreams" && get) {
        return upstreams();
    }
    if (path == "/admin/jwt/revoke" && request.method == "POST") {
        return revoke(request);
    }
    if (path == "/admin/requests" && get) {
        return requests(request);
    }
    if (path == "/metrics" && get) {
        return { 200, "text/plain; version=0.0.4; charset=utf-8", m_gateway.metricsText(), {} };
    }
    const bool known = path == "/admin/status" || path == "/admin/profile" || path == "/admin/upstreams"
        || path == "/admin/jwt/revoke" || path == "/admin/requests" || path == "/metrics";
    return known ? error(405, "method_not_allowed", QStringLiteral("method %1 is not allowed here").arg(QString::fromLatin1(request.method)))
                 : error(404, "not_found", QStringLiteral("no admin call at %1").arg(QString::fromUtf8(path)));
}

AdminReply AdminApi::status() const
{
    QJsonArray listeners;
    for (const ListenerInfo &listener : m_gateway.listeners()) {
        listeners.append(listener.url());
    }
    const profile::Profile &running = m_gateway.profile();
    return json(200, { { QStringLiteral("version"), QStringLiteral(GATEHOUSE_ENGINE_VERSION) },
                       { QStringLiteral("uptime_s"), (QDateTime::currentMSecsSinceEpoch() - m_startedMs) / 1000 },
                       { QStringLiteral("profile"), running.name },
                       { QStringLiteral("profile_file"), running.filePath.isEmpty() ? QJsonValue() : QJsonValue(running.filePath) },
                       { QStringLiteral("listeners"), listeners },
                       { QStringLiteral("requests_served"), qint64(m_gateway.requestsServed()) } });
}

AdminReply AdminApi::profile() const
{
    return json(200, profile::profileToJson(m_gateway.profile()));
}

AdminReply AdminApi::putProfile(const AdminRequest &request)
{
    if (request.body.size() > kMaxProfileBytes) {
        return error(413, "body_too_large", QStringLiteral("a profile larger than 4 MiB"));
    }
    const profile::Profile &running = m_gateway.profile();
    // JSON is YAML, so one reader takes both. Relative paths keep resolving where they did.
    profile::ReadResult read = profile::readProfile(request.body, QStringLiteral("<admin>"), running.baseDir);
    if (!read.ok()) {
        QJsonArray problems;
        for (const profile::Problem &problem : std::as_const(read.problems)) {
            problems.append(QJsonObject { { QStringLiteral("line"), problem.line },
                                          { QStringLiteral("column"), problem.column },
                                          { QStringLiteral("message"), problem.message },
                                          { QStringLiteral("where"), problem.toString() } });
        }
        return json(400, { { QStringLiteral("error"), QStringLiteral("invalid_profile") },
                           { QStringLiteral("message"), QStringLiteral("the profile has problems; the running profile stays") },
                           { QStringLiteral("problems"), problems } });
    }
    read.profile->filePath = running.filePath;
    if (!m_gateway.apply(*read.profile)) {
        QJsonArray messages;
        for (const QString &message : m_gateway.lastError().messages) {
            messages.append(message);
        }
        return json(400, { { QStringLiteral("error"), QStringLiteral("apply_failed") },
                           { QStringLiteral("message"), QStringLiteral("the profile could not be applied; the running profile stays") },
                           { QStringLiteral("problems"), messages } });
    }
    return json(200, { { QStringLiteral("applied"), true }, { QStringLiteral("profile"), read.profile->name } });
}

AdminReply AdminApi::upstreams() const
{
    QJsonArray out;
    for (const UpstreamStatus &upstream : m_gateway.upstreamStatus()) {
        QJsonArray targets;
        for (const TargetStatus &target : upstream.targets) {
            targets.append(targetJson(target));
        }
        out.append(QJsonObject { { QStringLiteral("name"), upstream.name },
                                 { QStringLiteral("balance"), upstream.balance },
                                 { QStringLiteral("circuit"), upstream.circuit },
                                 { QStringLiteral("circuit_openings"), qint64(upstream.circuitOpenings) },
                                 { QStringLiteral("retries_refused"), qint64(upstream.retriesRefused) },
                                 { QStringLiteral("targets"), targets } });
    }
    QJsonArray stores;
    for (const StoreStatus &store : m_gateway.storeStatus()) {
        stores.append(QJsonObject { { QStringLiteral("purpose"), store.purpose },
                                    { QStringLiteral("url"), store.url },
                                    { QStringLiteral("available"), store.available },
                                    { QStringLiteral("last_error"), store.lastError.isEmpty() ? QJsonValue() : QJsonValue(store.lastError) } });
    }
    return json(200, { { QStringLiteral("upstreams"), out }, { QStringLiteral("stores"), stores } });
}

AdminReply AdminApi::requests(const AdminRequest &request) const
{
    const QUrlQuery parameters(QString::fromUtf8(request.query));
    RequestQuery query;
    if (parameters.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        query.limit = parameters.queryItemValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || query.limit < 1 || query.limit > RequestHistory::kDefaultCapacity) {
            return error(400, "bad_request", QStringLiteral("limit must be a whole number from 1 to %1").arg(RequestHistory::kDefaultCapacity));
        }
    }
    query.route = parameters.queryItemValue(QStringLiteral("route"), QUrl::FullyDecoded);
    query.status = parameters.queryItemValue(QStringLiteral("status")).toLatin1().toLower();
    query.requestId = parameters.queryItemValue(QStringLiteral("request_id"), QUrl::FullyDecoded).toUtf8();
    QJsonArray out;
    for (const TrafficEvent &event : m_gateway.recentRequests(query)) {
        QJsonObject line = toAccessLogObject(event);
        const QByteArray sent = event.capture ? event.capture->load(event.requestHeaders).value_or(QByteArray()) : QByteArray();
        const QByteArray answered = event.capture ? event.capture->load(event.responseHeaders).value_or(QByteArray()) : QByteArray();
        line.insert(QStringLiteral("request_headers"), redactedHeaders(event, sent));
        line.insert(QStringLiteral("response_headers"), redactedHeaders(event, answered));
        out.append(line);
    }
    return json(200, { { QStringLiteral("requests"), out } });
}

AdminReply AdminApi::revoke(const AdminRequest &request)
{
    const QJsonDocument document = QJsonDocument::fromJson(request.body);
    const QJsonObject body = document.object();
    const QString token = body.value(QStringLiteral("token")).toString();
    const QString jti = body.value(QStringLiteral("jti")).toString();
    if (!document.isObject() || token.isEmpty() == jti.isEmpty()) {
        return error(400, "bad_request", QStringLiteral("send {\"token\": \"...\"} or {\"jti\": \"...\"}"));
    }
    QString problem;
    const bool ok = token.isEmpty() ? m_gateway.revokeJti(jti, &problem) : m_gateway.revokeToken(token.toLatin1(), &problem);
    if (!ok) {
        return error(token.isEmpty() || !problem.startsWith(u"not a JWT") ? 503 : 400, "revoke_failed", problem);
    }
    return json(200, { { QStringLiteral("revoked"), true } });
}

} // namespace gatehouse::engine
