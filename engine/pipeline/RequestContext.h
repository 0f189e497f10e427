#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "engine/config/GatewayConfig.h"
#include "engine/config/ListenerOptions.h"
#include "engine/http/BodyFilter.h"
#include "engine/http/HttpMessage.h"
#include "engine/http/LocalResponse.h"
#include "engine/pipeline/RequestTarget.h"
#include "engine/pipeline/ResumeHandle.h"

namespace gatehouse::engine {

// What shared stores (Redis) answered while a stage paused for them: by index in the route's
// rate_limit list, and the shared revocation check. The store's callback holds it too, so an
// answer that comes after the connection closed writes here and nowhere else.
struct StoreAnswers
{
    QList<std::optional<RateLimitDecision>> rateLimits;
    std::optional<bool> revoked;
};

// Everything the pipeline knows about one request. Stages read the request and fill in
// decisions; a stage that answers fills `response` and returns StageResult::Respond.
struct RequestContext
{
    std::shared_ptr<const GatewayConfig> config;
    const http::MessageHead *head = nullptr;
    int nextStage = 0; // where Pipeline::run goes on (after a pause: the stage that paused)
    ResumeHandle resume; // for a stage that pauses: lets the request go on, on the worker's thread
    RequestTarget target;
    QByteArray host; // from absolute-form or Host, lower case, port removed
    QByteArray hostHeader; // the client's Host header verbatim
    QByteArray clientIp;
    const ListenerOptions *listener = nullptr; // the accepting listener's, kept alive by the session
    bool websocket = false; // a WebSocket upgrade: tunnelled once the upstream answers 101
    QByteArray requestId;
    int workerIndex = 0;
    std::chrono::steady_clock::time_point start; // when the head was read

    QByteArray consumer; // the verified token's subject, when the route has auth
    QJsonObject claims; // the verified token's claims
    QList<std::pair<QByteArray, QByteArray>> claimHeaders; // from claims_to_headers, sent upstream
    QByteArray authOutcome; // "ok" or why the token was refused; empty on public routes
    bool rateLimited = false;
    std::optional<RateLimitDecision> rateLimitShown; // what RateLimit-* says so far (two stage runs)
    std::shared_ptr<StoreAnswers> storeAnswers; // made by the first stage that asks a shared store

    const CompiledRoute *route = nullptr;
    const CompiledUpstream *upstream = nullptr; // the canary's when the canary serves
    std::optional<bool> canary; // set on routes with a canary: whether the canary serves
    bool faultDelayed = false; // the route's fault delay was rolled and waited for
    CircuitBreaker::Ticket breakerTicket; // Allowed, or a half-open probe
    quint64 balanceKey = 0; // stable hash for ip_hash / consistent_hash
    int targetIndex = -1;
    QList<int> triedTargets;

    QByteArray upstreamPath; // path + query as sent upstream (after strip_prefix)
    QByteArray upstreamHeaders; // header lines after Host, each ending in CRLF, built once

    // Added to whatever answers, the upstream or the gateway itself (CORS, rate-limit headers);
    // the upstream's own copies of `replacedResponseHeaders` (lower case) are dropped.
    QList<std::pair<QByteArray, QByteArray>> responseHeaders;
    QList<QByteArray> replacedResponseHeaders;

    LocalResponse response;

    // Response phase.
    const http::MessageHead *upstreamResponse = nullptr; // the upstream's head; null for local answers
    double upstreamMs = -1; // the serving attempt's wait for that head
    std::unique_ptr<http::BodyFilter> bodyFilter; // set by a stage that rewrites the body (gzip)
};

} // namespace gatehouse::engine
