#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include "engine/auth/JwtAuthConfig.h"
#include "engine/auth/RedisRevocationStore.h"
#include "engine/auth/RevocationList.h"
#include "engine/config/CorsPolicy.h"
#include "engine/config/RateLimitConfig.h"
#include "engine/config/SecretNames.h"
#include "engine/profile/Profile.h"
#include "engine/tls/ClientTlsContext.h"
#include "engine/upstream/Balancer.h"
#include "engine/upstream/TargetState.h"
#include "engine/upstream/UpstreamState.h"

namespace gatehouse::engine {

struct CompiledTarget
{
    QString url;
    QHostAddress address;
    quint16 port = 0;
    int weight = 1;
    QByteArray hostHeader; // "127.0.0.1:8001", sent as Host upstream
    QByteArray poolKey; // address:port (and the TLS settings), shared by every upstream naming the same target
    bool tls = false; // https://
    QByteArray tlsServerName; // SNI and the name the certificate must carry
    std::shared_ptr<TargetState> state; // carried over from the previous snapshot when kept
};

// Where consistent_hash takes its key from (`hash_on`); a request without it hashes its IP.
struct HashOn
{
    enum class Kind { Ip, Header, Cookie, Claim, Path };
    Kind kind = Kind::Ip;
    QByteArray name; // header (lower case), cookie or claim name
};

struct CompiledUpstream
{
    QString name;
    QList<CompiledTarget> targets;
    std::chrono::milliseconds connectTimeout { 1000 };
    int keepalive = 32;
    std::shared_ptr<const tls::ClientTlsContext> tls; // set when a target is https://
    profile::UpstreamTls tlsSettings; // as in the profile, the CA file made absolute (health checks)
    profile::Balance balance = profile::Balance::RoundRobin;
    HashOn hashOn;
    std::optional<profile::HealthCheck> healthCheck;
    std::optional<profile::Outlier> outlier;
    std::optional<profile::CircuitBreaker> circuitBreaker;
    profile::RetryBudget retryBudget;
    std::shared_ptr<UpstreamState> state; // carried over from the previous snapshot when kept
    std::vector<TargetState *> targetStates; // targets[i].state, for OutlierDetector
    // One balancer per worker thread, each touched only by its own worker: no lock on the
    // request path. A new snapshot starts them fresh.
    std::vector<std::unique_ptr<Balancer>> balancers;
};

struct CompiledCanary
{
    int upstream = -1; // index into GatewayConfig::upstreams
    double percent = 0.0;
    QByteArray header; // lower case; empty = none
    QList<QByteArray> users;
};

struct CompiledRoute
{
    QString name;
    int fileIndex = 0;
    profile::RouteMatch::PathKind pathKind = profile::RouteMatch::PathKind::Prefix;
    QByteArray path; // prefix without trailing slash ("" for "/"), or the exact path
    QRegularExpression regex;
    QList<QByteArray> methods; // empty = any
    QList<QByteArray> exactHosts; // lower case
    QList<QByteArray> hostSuffixes; // ".shop.test" for "*.shop.test"
    QList<std::pair<QByteArray, QByteArray>> headers; // lower-case name, exact value
    int conditionKinds = 0; // hosts, methods, headers: counted as kinds (SPEC §6)
    QByteArray stripPrefix;
    int upstream = -1; // index into GatewayConfig::upstreams; -1 for respond routes
    bool responds = false;
    int respondStatus = 200;
    QList<std::pair<QByteArray, QByteArray>> respondHeaders;
    QByteArray respondBody;
    std::chrono::milliseconds timeout { 30000 };
    int retries = 0;
    std::optional<CompiledCanary> canary;
    std::optional<profile::Fault> fault;
    std::optional<CorsPolicy> cors;
    bool compress = false;
    int jwt = -1; // index into GatewayConfig::jwt; -1 = public route
    QList<std::pair<QString, QString>> require; // claim, expected value
    QList<RouteRateLimit> rateLimits;
};

struct CompileResult;
class SecretStore;

// The immutable snapshot every request runs on. Built once per profile load on the caller's
// thread (host names resolve here, regexes compile here), then shared read-only by workers.
struct GatewayConfig
{
    profile::Profile profile;
    QList<CompiledRoute> routes; // in precedence order (SPEC §2)
    std::vector<CompiledUpstream> upstreams;
    profile::Limits limits;
    bool serverTiming = true; // Server-Timing on every answer
    // The profile has the admin API: requests are counted for /metrics and kept (with their
    // headers) in the history. The app asks for the headers alone (Gateway::setObserved).
    // Otherwise that bookkeeping, about 2 µs a request, is skipped.
    bool observed = false;
    std::vector<JwtAuthConfig> jwt; // in profile order
    // Every JWT profile's claims_to_headers names, lower case: removed from every client request
    // on every route, so an upstream can trust them whichever route a request took.
    QList<QByteArray> claimHeaders;
    // Every JWT profile's token_from headers and query parameters: redacted in what the gateway
    // shows of a request (access log, admin API, the app), whichever route it took.
    std::shared_ptr<const SecretNames> secretNames = std::make_shared<const SecretNames>();
    std::shared_ptr<RevocationList> revocations; // carried across reloads
    QHash<QString, std::shared_ptr<RedisRevocationStore>> redisRevocations; // by URL, kept across reloads
    std::shared_ptr<RateLimitStores> rateLimitStores; // carried across reloads

    // `previous` (the running snapshot, may be null) lends its upstream and target states to
    // the upstreams and targets that keep their names and URLs, so health, ejections and
    // circuits survive a reload; and its revocations and fetched JWKS keys. `secrets` resolves
    // keychain references (may be null: then they are reported as unavailable).
    static CompileResult compile(const profile::Profile &profile, int workerCount,
                                 const GatewayConfig *previous = nullptr, SecretStore *secrets = nullptr);
    const CompiledUpstream *upstreamNamed(const QString &name) const;
};

struct CompileResult
{
    std::shared_ptr<const GatewayConfig> config;
    QStringList errors;
};

} // namespace gatehouse::engine
