#include "GatewayConfig.h"

#include <algorithm>

#include <QDir>
#include <QFile>

#include "engine/config/HostResolver.h"
#include "engine/upstream/HashRing.h"

namespace gatehouse::engine {

namespace {

using profile::RouteMatch;

QByteArray latin1Lower(const QString &text)
{
    return text.toLatin1().toLower();
}

QByteArray hostHeaderFor(const QString &host, quint16 port)
{
    const QByteArray name = host.contains(QLatin1Char(':')) ? "[" + host.toLatin1() + "]" : host.toLatin1();
    return name + ':' + QByteArray::number(port);
}

CompiledRoute compileRoute(const profile::Route &route, int fileIndex, const QStringList &upstreamNames)
{
    CompiledRoute out;
    out.name = route.name;
    out.fileIndex = fileIndex;
    out.pathKind = route.match.pathKind;
    if (route.match.pathKind == RouteMatch::PathKind::Regex) {
        out.regex = QRegularExpression(route.match.path);
        out.regex.optimize();
    } else {
        out.path = route.match.path.toUtf8();
        if (route.match.pathKind == RouteMatch::PathKind::Prefix) {
            while (out.path.endsWith('/')) {
                out.path.chop(1);
            }
        }
    }
    for (const QString &method : route.match.methods) {
        out.methods.append(method.toLatin1().toUpper());
    }
    for (const QString &host : route.match.hosts) {
        if (host.startsWith(QLatin1String("*."))) {
            out.hostSuffixes.append(latin1Lower(host.mid(1)));
        } else {
            out.exactHosts.append(latin1Lower(host));
        }
    }
    for (const auto &[name, value] : route.match.headers) {
        out.headers.append({ latin1Lower(name), value.toUtf8() });
    }
    out.conditionKinds = int(!route.match.methods.isEmpty()) + int(!route.match.hosts.isEmpty())
        + int(!route.match.headers.isEmpty());
    out.stripPrefix = route.stripPrefix.toUtf8();
    while (out.stripPrefix.endsWith('/')) {
        out.stripPrefix.chop(1);
    }
    out.upstream = int(upstreamNames.indexOf(route.upstream));
    if (route.respond) {
        out.responds = true;
        out.respondStatus = route.respond->status;
        for (const auto &[name, value] : route.respond->headers) {
            out.respondHeaders.append({ name.toLatin1(), value.toUtf8() });
        }
        out.respondBody = route.respond->body;
    }
    out.timeout = route.timeout;
    out.retries = route.retries;
    if (route.canary) {
        CompiledCanary canary;
        canary.upstream = int(upstreamNames.indexOf(route.canary->upstream));
        canary.percent = route.canary->percent;
        canary.header = latin1Lower(route.canary->header);
        for (const QString &user : route.canary->users) {
            canary.users.append(user.toUtf8());
        }
        out.canary = canary;
    }
    out.fault = route.fault;
    out.require = route.require;
    if (route.cors) {
        out.cors = compileCors(*route.cors, out.methods);
    }
    out.compress = route.compress;
    return out;
}

// SPEC §2: path_exact, then the longest prefix, then regexes in file order; among equal
// paths more condition kinds first; then file order.
bool precedes(const CompiledRoute &a, const CompiledRoute &b)
{
    auto rank = [](const CompiledRoute &r) { return int(r.pathKind == RouteMatch::PathKind::Exact ? 0
                                                        : r.pathKind == RouteMatch::PathKind::Prefix ? 1 : 2); };
    if (rank(a) != rank(b)) {
        return rank(a) < rank(b);
    }
    if (a.pathKind == RouteMatch::PathKind::Prefix && a.path.size() != b.path.size()) {
        return a.path.size() > b.path.size();
    }
    if (a.pathKind == RouteMatch::PathKind::Regex) {
        return a.fileIndex < b.fileIndex;
    }
    if (a.path == b.path && a.conditionKinds != b.conditionKinds) {
        return a.conditionKinds > b.conditionKinds;
    }
    return a.fileIndex < b.fileIndex;
}

} // namespace

const CompiledUpstream *GatewayConfig::upstreamNamed(const QString &name) const
{
    for (const CompiledUpstream &upstream : upstreams) {
        if (upstream.name == name) {
            return &upstream;
        }
    }
    return nullptr;
}

namespace {

HashOn compileHashOn(const QString &text)
{
    HashOn out;
    const qsizetype colon = text.indexOf(u':');
    const QString kind = colon < 0 ? text : text.left(colon);
    out.name = colon < 0 ? QByteArray() : text.mid(colon + 1).toUtf8();
    if (kind == QLatin1String("header")) {
        out.kind = HashOn::Kind::Header;
        out.name = out.name.toLower();
    } else if (kind == QLatin1String("cookie")) {
        out.kind = HashOn::Kind::Cookie;
    } else if (kind == QLatin1String("claim")) {
        out.kind = HashOn::Kind::Claim;
    } else if (kind == QLatin1String("path")) {
        out.kind = HashOn::Kind::Path;
    }
    return out;
}

void buildBalancers(CompiledUpstream &upstream, int workerCount)
{
    std::vector<BalancerTarget> targets;
    std::vector<int> weights;
    QList<QByteArray> identities;
    for (const CompiledTarget &target : upstream.targets) {
        targets.push_back({ target.weight, target.state.get() });
        weights.push_back(target.weight);
        identities.append(target.url.toUtf8());
        upstream.targetStates.push_back(target.state.get());
    }
    std::shared_ptr<const HashRing> ring;
    if (upstream.balance == profile::Balance::ConsistentHash) {
        ring = std::make_shared<const HashRing>(identities, weights);
    }
    for (int worker = 0; worker < std::max(workerCount, 1); ++worker) {
        upstream.balancers.push_back(makeBalancer(upstream.balance, targets, ring));
    }
}

void compileJwt(const profile::Profile &profile, const GatewayConfig *previous, SecretStore *secrets, GatewayConfig &config,
                QStringList &errors)
{
    for (const profile::JwtProfile &jwt : profile.jwt) {
        const JwtAuthConfig *before = nullptr;
        for (std::size_t i = 0; previous && i < previous->jwt.size(); ++i) {
            before = previous->jwt[i].name == jwt.name ? &previous->jwt[i] : before;
        }
        QString error;
        if (auto compiled = compileJwtAuth(jwt, profile.baseDir, secrets, before, &error)) {
            if (jwt.revocationStore != u"local") {
                std::shared_ptr<RedisRevocationStore> &store = config.redisRevocations[jwt.revocationStore];
                if (!store) {
                    store = previous ? previous->redisRevocations.value(jwt.revocationStore) : nullptr;
                }
                if (!store) {
                    store = std::make_shared<RedisRevocationStore>(jwt.revocationStore);
                }
                compiled->sharedRevocations = store;
            }
            config.jwt.push_back(std::move(*compiled));
        } else {
            errors.append(error);
        }
        for (const auto &[claim, header] : jwt.claimsToHeaders) {
            if (!config.claimHeaders.contains(latin1Lower(header))) {
                config.claimHeaders.append(latin1Lower(header));
            }
        }
    }
    QList<QByteArray> tokenHeaders;
    QList<QByteArray> tokenParameters;
    for (const JwtAuthConfig &jwt : config.jwt) {
        for (const TokenSource &source : jwt.sources) {
            if (source.kind == TokenSource::Kind::Header && !tokenHeaders.contains(source.name)) {
                tokenHeaders.append(source.name);
            } else if (source.kind == TokenSource::Kind::Query && !tokenParameters.contains(source.name)) {
                tokenParameters.append(source.name);
            }
        }
    }
    // Cookie sources need nothing: the Cookie header is redacted whole.
    config.secretNames = std::make_shared<const SecretNames>(std::move(tokenHeaders), std::move(tokenParameters));
    for (CompiledRoute &route : config.routes) {
        const QString &auth = profile.routes.at(route.fileIndex).auth;
        for (std::size_t i = 0; i < config.jwt.size() && !auth.isEmpty(); ++i) {
            route.jwt = config.jwt[i].name == auth ? int(i) : route.jwt;
        }
    }
    config.revocations = previous ? previous->revocations : std::make_shared<RevocationList>();
}

void compileRateLimits(const profile::Profile &profile, const GatewayConfig *previous, GatewayConfig &config)
{
    config.rateLimitStores = std::make_shared<RateLimitStores>(previous ? previous->rateLimitStores.get() : nullptr);
    for (CompiledRoute &route : config.routes) {
        for (const QString &name : profile.routes.at(route.fileIndex).rateLimit) {
            const auto limit = std::find_if(profile.rateLimits.cbegin(), profile.rateLimits.cend(),
                                            [&name](const profile::RateLimitProfile &candidate) { return candidate.name == name; });
            if (limit != profile.rateLimits.cend()) {
                route.rateLimits.append(compileRateLimit(route.name, *limit, *config.rateLimitStores));
            }
        }
    }
}

} // namespace

CompileResult GatewayConfig::compile(const profile::Profile &profile, int workerCount, const GatewayConfig *previous,
                                     SecretStore *secrets)
{
    CompileResult result;
    auto config = std::make_shared<GatewayConfig>();
    config->profile = profile;
    config->limits = profile.limits;
    config->serverTiming = profile.serverTiming;
    config->observed = profile.admin.has_value();

    QStringList upstreamNames;
    for (const profile::Upstream &upstream : profile.upstreams) {
        upstreamNames.append(upstream.name);
        const CompiledUpstream *before = previous ? previous->upstreamNamed(upstream.name) : nullptr;
        CompiledUpstream compiled;
        compiled.name = upstream.name;
        compiled.connectTimeout = upstream.connectTimeout;
        compiled.keepalive = upstream.keepalive;
        compiled.balance = upstream.balance;
        compiled.hashOn = compileHashOn(upstream.hashOn);
        compiled.healthCheck = upstream.healthCheck;
        compiled.outlier = upstream.outlier;
        compiled.circuitBreaker = upstream.circuitBreaker;
        compiled.retryBudget = upstream.retryBudget;
        compiled.state = before ? before->state : std::make_shared<UpstreamState>(workerCount);
        const bool anyHttps = std::any_of(upstream.targets.cbegin(), upstream.targets.cend(),
                                          [](const profile::Target &t) { return t.scheme == QLatin1String("https"); });
        profile::UpstreamTls tlsOptions = upstream.tls.value_or(profile::UpstreamTls {});
        if (!tlsOptions.ca.isEmpty()) {
            tlsOptions.ca = QDir(profile.baseDir).absoluteFilePath(tlsOptions.ca);
        }
        compiled.tlsSettings = tlsOptions;
        if (anyHttps) {
            QString error;
            compiled.tls = tls::ClientTlsContext::create({ tlsOptions.ca, tlsOptions.verify }, &error);
            if (!compiled.tls) {
                result.errors.append(QStringLiteral("upstream %1: tls: %2").arg(upstream.name, error));
            }
        }
        for (const profile::Target &target : upstream.targets) {
            QString error;
            const auto address = resolveHost(target.host, &error);
            if (!address) {
                result.errors.append(QStringLiteral("upstream %1: cannot resolve %2: %3")
                                         .arg(upstream.name, target.host, error));
                continue;
            }
            CompiledTarget t;
            t.url = target.url;
            t.address = *address;
            t.port = target.port;
            t.weight = target.weight;
            t.hostHeader = hostHeaderFor(target.host, target.port);
            t.poolKey = address->toString().toLatin1() + ':' + QByteArray::number(target.port);
            if (target.scheme == QLatin1String("https")) {
                t.tls = true;
                t.tlsServerName = (tlsOptions.serverName.isEmpty() ? target.host : tlsOptions.serverName).toLatin1();
                // Connections made under other TLS settings are never handed to this upstream.
                t.poolKey = "https|" + t.tlsServerName + '|' + QFile::encodeName(tlsOptions.ca) + '|'
                    + (tlsOptions.verify ? "verify|" : "noverify|") + t.poolKey;
            }
            if (before) {
                for (const CompiledTarget &old : before->targets) {
                    if (old.url == t.url) {
                        t.state = old.state;
                    }
                }
            }
            if (!t.state) {
                t.state = std::make_shared<TargetState>();
            }
            // A target no longer checked must not stay marked down by the old checker.
            if (!upstream.healthCheck) {
                t.state->healthy.store(true, std::memory_order_relaxed);
            }
            compiled.targets.append(t);
        }
        buildBalancers(compiled, workerCount);
        config->upstreams.push_back(std::move(compiled));
    }

    for (int i = 0; i < profile.routes.size(); ++i) {
        if (profile.routes.at(i).enabled) {
            config->routes.append(compileRoute(profile.routes.at(i), i, upstreamNames));
        }
    }
    std::stable_sort(config->routes.begin(), config->routes.end(), precedes);
    compileJwt(profile, previous, secrets, *config, result.errors);
    compileRateLimits(profile, previous, *config);

    if (result.errors.isEmpty()) {
        result.config = std::move(config);
    }
    return result;
}

} // namespace gatehouse::engine
