#pragma once

#include <chrono>
#include <optional>

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

// The profile model: plain values, validated by ProfileReader, written back by ProfileWriter.
// Every section of the profile format is here, including the ones whose behaviour comes later,
// so the file format is settled once. Defaults are the documented ones (docs/profile-format.md).
namespace gatehouse::profile {

using Duration = std::chrono::milliseconds;

// A position in the source file, 1-based; line 0 means "unknown" (e.g. a profile built in code).
struct SourcePos
{
    int line = 0;
    int column = 0;
    friend bool operator==(const SourcePos &, const SourcePos &) = default;
};

// A secret is never stored in a profile, only a reference to where it lives.
struct SecretRef
{
    enum class Kind { None, Keychain, Env, File };
    Kind kind = Kind::None;
    QString name; // keychain item, environment variable, or file path (as written)
    bool isSet() const { return kind != Kind::None; }
    friend bool operator==(const SecretRef &, const SecretRef &) = default;
};

struct HostPort
{
    QString host; // "127.0.0.1", "::1", "localhost"
    quint16 port = 0; // 0 = any free port (tests, demos)
    friend bool operator==(const HostPort &, const HostPort &) = default;
};

// A certificate offered to clients whose SNI names one of `hosts` (exact, or `*.domain`).
struct TlsCertificate
{
    QStringList hosts;
    QString cert; // PEM paths, resolved against the profile's folder
    QString key;
    SourcePos pos;
    friend bool operator==(const TlsCertificate &, const TlsCertificate &) = default;
};

struct ListenerTls
{
    QString cert; // the default certificate (PEM paths, resolved against the profile's folder)
    QString key;
    QList<TlsCertificate> certificates; // chosen by SNI; without cert/key the first is the default
    bool autoIssue = false; // `auto: true`: a certificate from the local development CA
    friend bool operator==(const ListenerTls &, const ListenerTls &) = default;
};

struct Listener
{
    HostPort bind;
    std::optional<ListenerTls> tls;
    bool redirectHttps = false; // plain listener answering every request with a redirect to HTTPS
    // Host names this listener answers (SPEC §7.1, against DNS rebinding): names, "*.suffix",
    // IP literals, or "*" for any. Empty: the defaults (loopback names, the bind address, every
    // route's hosts and the certificates' names).
    QStringList allowedHosts;
    SourcePos pos;
    friend bool operator==(const Listener &, const Listener &) = default;
};

struct Admin
{
    HostPort bind;
    SecretRef token;
    bool allowRemote = false;
    std::optional<ListenerTls> tls;
    SourcePos pos;
    friend bool operator==(const Admin &, const Admin &) = default;
};

struct AccessLog
{
    QString file;
    qint64 maxSize = 50LL * 1024 * 1024;
    int keep = 5;
    friend bool operator==(const AccessLog &, const AccessLog &) = default;
};

struct Service
{
    QString name;
    QString kind = QStringLiteral("echo"); // only "echo" today
    HostPort bind;
    Duration delay { 0 };
    double failRate = 0.0;
    SourcePos pos;
    friend bool operator==(const Service &, const Service &) = default;
};

struct Limits
{
    qint64 maxHeaderBytes = 64 * 1024;
    qint64 maxBodyBytes = 10LL * 1024 * 1024;
    Duration headerTimeout { 10'000 };
    Duration idleTimeout { 60'000 };
    int maxConnections = 10'000;
    bool allowSemicolons = false; // ';' in a path is ordinary instead of a 400 bad_path
    friend bool operator==(const Limits &, const Limits &) = default;
};

enum class Balance { RoundRobin, LeastConnections, IpHash, ConsistentHash, Random, LeastLatency };

struct Target
{
    QString url; // http://host:port or https://host:port, no path
    QString scheme; // "http" | "https"
    QString host;
    quint16 port = 0;
    int weight = 1;
    SourcePos pos;
    friend bool operator==(const Target &, const Target &) = default;
};

struct UpstreamTls
{
    QString ca;
    bool verify = true;
    QString serverName;
    friend bool operator==(const UpstreamTls &, const UpstreamTls &) = default;
};

struct HealthCheck
{
    QString path = QStringLiteral("/health");
    Duration interval { 5'000 };
    Duration timeout { 1'000 };
    int healthyAfter = 2;
    int unhealthyAfter = 3;
    int expectStatusMin = 200; // expect_status: "200-399" (default), "200", "200-299"
    int expectStatusMax = 399;
    friend bool operator==(const HealthCheck &, const HealthCheck &) = default;
};

struct Outlier
{
    int consecutiveFailures = 5;
    Duration ejectFor { 30'000 };
    friend bool operator==(const Outlier &, const Outlier &) = default;
};

struct CircuitBreaker
{
    double errorRatePercent = 50.0;
    int minRequests = 20;
    Duration window { 10'000 };
    Duration openFor { 10'000 };
    friend bool operator==(const CircuitBreaker &, const CircuitBreaker &) = default;
};

// Retries to one upstream stay under `percent` of its requests over `window`, plus
// `min_per_second`, so a failing upstream is not hit by a retry storm. Always on.
struct RetryBudget
{
    double percent = 20.0;
    int minPerSecond = 5;
    Duration window { 10'000 };
    friend bool operator==(const RetryBudget &, const RetryBudget &) = default;
};

struct Upstream
{
    QString name;
    Balance balance = Balance::RoundRobin;
    QString hashOn; // "ip" | "header:NAME" | "cookie:NAME" | "claim:NAME" | "path"; empty unless consistent_hash
    QList<Target> targets;
    Duration connectTimeout { 1'000 };
    int keepalive = 32;
    std::optional<UpstreamTls> tls;
    std::optional<HealthCheck> healthCheck;
    std::optional<Outlier> outlier;
    std::optional<CircuitBreaker> circuitBreaker;
    RetryBudget retryBudget;
    SourcePos pos;
    friend bool operator==(const Upstream &, const Upstream &) = default;
};

struct RouteMatch
{
    enum class PathKind { Prefix, Exact, Regex };
    PathKind pathKind = PathKind::Prefix;
    QString path = QStringLiteral("/"); // the prefix, the exact path, or the regex source
    QStringList methods; // upper case; empty = any
    QStringList hosts; // exact or "*.suffix"; empty = any
    QList<QPair<QString, QString>> headers; // name, exact value; file order
    friend bool operator==(const RouteMatch &, const RouteMatch &) = default;
};

struct Canary
{
    QString upstream;
    double percent = 0.0;
    QString header;
    QStringList users;
    friend bool operator==(const Canary &, const Canary &) = default;
};

struct Cors
{
    QStringList origins;
    QStringList methods;
    QStringList headers;
    bool credentials = false;
    Duration maxAge { 0 };
    friend bool operator==(const Cors &, const Cors &) = default;
};

struct Fault
{
    Duration delay { 0 };
    double delayPercent = 0.0;
    int abortStatus = 0;
    double abortPercent = 0.0;
    friend bool operator==(const Fault &, const Fault &) = default;
};

struct Respond
{
    int status = 200;
    QList<QPair<QString, QString>> headers;
    QByteArray body;
    friend bool operator==(const Respond &, const Respond &) = default;
};

struct Route
{
    QString name;
    RouteMatch match;
    QString stripPrefix;
    QString upstream; // empty when `respond` is set
    std::optional<Respond> respond;
    Duration timeout { 30'000 };
    int retries = 0;
    QString auth; // JWT profile name; empty = public
    QList<QPair<QString, QString>> require; // claim, expected value
    QStringList rateLimit; // rate-limit profile names
    std::optional<Canary> canary;
    std::optional<Cors> cors;
    bool compress = false;
    std::optional<Fault> fault;
    bool enabled = true; // `enabled: false` keeps a route in the profile without serving it
    SourcePos pos;
    friend bool operator==(const Route &, const Route &) = default;
};

struct JwtProfile
{
    QString name;
    QStringList algorithms;
    SecretRef secret;
    SecretRef publicKey;
    QString jwks; // "file:PATH" or http(s) URL
    SecretRef privateKey;
    QString issuer;
    QStringList audience;
    Duration leeway { 0 };
    QStringList tokenFrom = { QStringLiteral("header:Authorization") };
    QList<QPair<QString, QString>> claimsToHeaders; // claim, header
    QString revocationStore = QStringLiteral("local"); // local | redis://host:port/db
    SourcePos pos;
    friend bool operator==(const JwtProfile &, const JwtProfile &) = default;
};

struct RateLimitProfile
{
    QString name;
    qint64 requests = 0;
    Duration per { 1'000 };
    qint64 burst = 0;
    QString key = QStringLiteral("consumer"); // consumer | ip | route | header:NAME | global
    QString store = QStringLiteral("local"); // local | redis://host:port/db
    bool failClosed = false; // `fail: closed`: refuse (503) while the store cannot be asked
    SourcePos pos;
    friend bool operator==(const RateLimitProfile &, const RateLimitProfile &) = default;
};

struct Profile
{
    int version = 1;
    QString name;
    QList<Listener> listen;
    std::optional<Admin> admin;
    std::optional<AccessLog> accessLog;
    bool serverTiming = true;
    QList<Service> services;
    Limits limits;
    QList<Upstream> upstreams;
    QList<Route> routes;
    QList<JwtProfile> jwt;
    QList<RateLimitProfile> rateLimits;

    QString filePath; // where it was read from (absolute), empty when built in code
    QString baseDir; // relative paths resolve against this

    // Equality compares content only, not where it came from.
    bool sameContent(const Profile &other) const;
};

} // namespace gatehouse::profile
