#include "GatewayConfig.h"

#include <algorithm>

#include "engine/core/HostResolver.h"

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

bool GatewayConfig::isLocalHost(QByteArrayView host) const
{
    for (const QByteArray &name : localHosts) {
        if (host == name) {
            return true;
        }
    }
    for (const QByteArray &suffix : localHostSuffixes) {
        if (host.size() > suffix.size() && host.endsWith(suffix)) {
            return true;
        }
    }
    return false;
}

CompileResult GatewayConfig::compile(const profile::Profile &profile, int workerCount)
{
    CompileResult result;
    auto config = std::make_shared<GatewayConfig>();
    config->profile = profile;
    config->limits = profile.limits;

    QStringList upstreamNames;
    for (const profile::Upstream &upstream : profile.upstreams) {
        upstreamNames.append(upstream.name);
        CompiledUpstream compiled;
        compiled.name = upstream.name;
        compiled.connectTimeout = upstream.connectTimeout;
        compiled.keepalive = upstream.keepalive;
        std::vector<int> weights;
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
            compiled.targets.append(t);
            weights.push_back(target.weight);
        }
        compiled.balancers.assign(size_t(std::max(workerCount, 1)), SmoothWeightedRoundRobin(weights));
        config->upstreams.append(std::move(compiled));
    }

    for (int i = 0; i < profile.routes.size(); ++i) {
        config->routes.append(compileRoute(profile.routes.at(i), i, upstreamNames));
    }
    std::stable_sort(config->routes.begin(), config->routes.end(), precedes);

    config->localHosts = { "localhost", "127.0.0.1", "[::1]", "::1" };
    for (const profile::Listener &listener : profile.listen) {
        config->localHosts.append(latin1Lower(listener.bind.host));
    }
    for (const CompiledRoute &route : config->routes) {
        config->localHosts.append(route.exactHosts);
        for (const QByteArray &suffix : route.hostSuffixes) {
            if (!config->localHostSuffixes.contains(suffix)) {
                config->localHostSuffixes.append(suffix);
            }
        }
    }

    if (result.errors.isEmpty()) {
        result.config = std::move(config);
    }
    return result;
}

} // namespace gatehouse::engine
