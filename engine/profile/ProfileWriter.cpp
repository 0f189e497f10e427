#include "ProfileWriter.h"

#include "Units.h"
#include "Values.h"

#include <string>

#include <yaml-cpp/yaml.h>

#include <QLocale>
#include <QRegularExpression>
#include <QStringList>

namespace gatehouse::profile {

namespace {

// The canonical form is built as a yaml-cpp node tree in the order of the format reference,
// leaving out every value that equals its default; the layout is decided afterwards in one place
// (applyStyle) so it stays consistent, and yaml-cpp's emitter does the quoting.

// Plain scalars that YAML would read as something other than a string (numbers, booleans,
// null). String values that look like this are quoted so every YAML tool sees a string.
bool looksTyped(const QString &text)
{
    static const QStringList words { QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("yes"),
                                     QStringLiteral("no"), QStringLiteral("on"), QStringLiteral("off"),
                                     QStringLiteral("y"), QStringLiteral("n"), QStringLiteral("null"),
                                     QStringLiteral("~"), QStringLiteral(".inf"), QStringLiteral("-.inf"),
                                     QStringLiteral("+.inf"), QStringLiteral(".nan") };
    static const QRegularExpression number(QStringLiteral("^[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^0[xXoObB]"));
    return words.contains(text, Qt::CaseInsensitive) || number.match(text).hasMatch();
}

// A string value; tagged "!" (non-plain) when it must be quoted, which emitNode honours.
YAML::Node str(const QString &text)
{
    YAML::Node node(text.toStdString());
    if (looksTyped(text)) {
        node.SetTag("!");
    }
    return node;
}

// Numbers, durations and sizes: always plain.
std::string number(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest).toStdString();
}

std::string duration(Duration value)
{
    return formatDuration(value).toStdString();
}

std::string size(qint64 value)
{
    return formatSize(value).toStdString();
}

YAML::Node stringList(const QStringList &values)
{
    YAML::Node list(YAML::NodeType::Sequence);
    for (const QString &value : values) {
        list.push_back(str(value));
    }
    return list;
}

YAML::Node stringPairs(const QList<QPair<QString, QString>> &pairs)
{
    YAML::Node map(YAML::NodeType::Map);
    for (const auto &[key, value] : pairs) {
        map[key.toStdString()] = str(value);
    }
    return map;
}

void setIfNotEmpty(YAML::Node &map, const char *key, const QString &value)
{
    if (!value.isEmpty()) {
        map[key] = str(value);
    }
}

void setIfNotEmpty(YAML::Node &map, const char *key, const QStringList &values)
{
    if (!values.isEmpty()) {
        map[key] = stringList(values);
    }
}

void setIfNotEmpty(YAML::Node &map, const char *key, const QList<QPair<QString, QString>> &pairs)
{
    if (!pairs.isEmpty()) {
        map[key] = stringPairs(pairs);
    }
}

void setSecret(YAML::Node &map, const char *key, const SecretRef &ref)
{
    if (ref.isSet()) {
        map[key] = str(formatSecretRef(ref));
    }
}

YAML::Node listenerTls(const ListenerTls &tls)
{
    YAML::Node node(YAML::NodeType::Map);
    if (tls.autoIssue) {
        node["auto"] = true;
    }
    setIfNotEmpty(node, "cert", tls.cert);
    setIfNotEmpty(node, "key", tls.key);
    if (!tls.certificates.isEmpty()) {
        YAML::Node list(YAML::NodeType::Sequence);
        for (const TlsCertificate &certificate : tls.certificates) {
            YAML::Node item(YAML::NodeType::Map);
            item["hosts"] = stringList(certificate.hosts);
            item["cert"] = str(certificate.cert);
            item["key"] = str(certificate.key);
            list.push_back(item);
        }
        node["certificates"] = list;
    }
    return node;
}

YAML::Node listener(const Listener &value)
{
    YAML::Node node(YAML::NodeType::Map);
    node["bind"] = str(formatHostPort(value.bind));
    if (value.tls) {
        node["tls"] = listenerTls(*value.tls);
    }
    if (value.redirectHttps) {
        node["redirect_https"] = true;
    }
    if (!value.allowedHosts.isEmpty()) {
        node["allowed_hosts"] = stringList(value.allowedHosts);
    }
    return node;
}

YAML::Node admin(const Admin &value)
{
    YAML::Node node(YAML::NodeType::Map);
    node["bind"] = str(formatHostPort(value.bind));
    setSecret(node, "token", value.token);
    if (value.allowRemote) {
        node["allow_remote"] = true;
    }
    if (value.tls) {
        node["tls"] = listenerTls(*value.tls);
    }
    return node;
}

YAML::Node accessLog(const AccessLog &value)
{
    const AccessLog defaults;
    YAML::Node node(YAML::NodeType::Map);
    node["file"] = str(value.file);
    if (value.maxSize != defaults.maxSize) {
        node["max_size"] = size((value.maxSize));
    }
    if (value.keep != defaults.keep) {
        node["keep"] = value.keep;
    }
    return node;
}

YAML::Node service(const Service &value)
{
    const Service defaults;
    YAML::Node node(YAML::NodeType::Map);
    node["name"] = str(value.name);
    // Written even though echo is the only kind: it says what the entry is.
    node["kind"] = str(value.kind);
    node["bind"] = str(formatHostPort(value.bind));
    if (value.delay != defaults.delay) {
        node["delay"] = duration(value.delay);
    }
    if (value.failRate != defaults.failRate) {
        node["fail_rate"] = number(value.failRate);
    }
    return node;
}

YAML::Node limits(const Limits &value)
{
    const Limits defaults;
    YAML::Node node(YAML::NodeType::Map);
    if (value.maxHeaderBytes != defaults.maxHeaderBytes) {
        node["max_header_bytes"] = size((value.maxHeaderBytes));
    }
    if (value.maxBodyBytes != defaults.maxBodyBytes) {
        node["max_body_bytes"] = size((value.maxBodyBytes));
    }
    if (value.headerTimeout != defaults.headerTimeout) {
        node["header_timeout"] = duration(value.headerTimeout);
    }
    if (value.idleTimeout != defaults.idleTimeout) {
        node["idle_timeout"] = duration(value.idleTimeout);
    }
    if (value.maxConnections != defaults.maxConnections) {
        node["max_connections"] = value.maxConnections;
    }
    if (value.allowSemicolons) {
        node["allow_semicolons"] = true;
    }
    return node;
}

YAML::Node upstream(const Upstream &value)
{
    const Upstream defaults;
    YAML::Node node(YAML::NodeType::Map);
    node["name"] = str(value.name);
    if (value.balance != defaults.balance) {
        node["balance"] = str(balanceName(value.balance));
    }
    setIfNotEmpty(node, "hash_on", value.hashOn);
    YAML::Node targets(YAML::NodeType::Sequence);
    for (const Target &target : value.targets) {
        YAML::Node item(YAML::NodeType::Map);
        item["url"] = str(target.url);
        if (target.weight != 1) {
            item["weight"] = target.weight;
        }
        targets.push_back(item);
    }
    node["targets"] = targets;
    if (value.connectTimeout != defaults.connectTimeout) {
        node["connect_timeout"] = duration(value.connectTimeout);
    }
    if (value.keepalive != defaults.keepalive) {
        node["keepalive"] = value.keepalive;
    }
    if (value.tls) {
        YAML::Node tls(YAML::NodeType::Map);
        setIfNotEmpty(tls, "ca", value.tls->ca);
        if (!value.tls->verify) {
            tls["verify"] = false;
        }
        setIfNotEmpty(tls, "server_name", value.tls->serverName);
        node["tls"] = tls;
    }
    if (value.healthCheck) {
        const HealthCheck d;
        const HealthCheck &v = *value.healthCheck;
        YAML::Node check(YAML::NodeType::Map);
        if (v.path != d.path) {
            check["path"] = str(v.path);
        }
        if (v.interval != d.interval) {
            check["interval"] = duration(v.interval);
        }
        if (v.timeout != d.timeout) {
            check["timeout"] = duration(v.timeout);
        }
        if (v.healthyAfter != d.healthyAfter) {
            check["healthy_after"] = v.healthyAfter;
        }
        if (v.unhealthyAfter != d.unhealthyAfter) {
            check["unhealthy_after"] = v.unhealthyAfter;
        }
        if (v.expectStatusMin != d.expectStatusMin || v.expectStatusMax != d.expectStatusMax) {
            check["expect_status"] = v.expectStatusMin == v.expectStatusMax
                ? str(QString::number(v.expectStatusMin))
                : str(QStringLiteral("%1-%2").arg(v.expectStatusMin).arg(v.expectStatusMax));
        }
        node["health_check"] = check;
    }
    if (value.outlier) {
        const Outlier d;
        YAML::Node outlier(YAML::NodeType::Map);
        if (value.outlier->consecutiveFailures != d.consecutiveFailures) {
            outlier["consecutive_failures"] = value.outlier->consecutiveFailures;
        }
        if (value.outlier->ejectFor != d.ejectFor) {
            outlier["eject_for"] = duration(value.outlier->ejectFor);
        }
        node["outlier"] = outlier;
    }
    if (value.circuitBreaker) {
        const CircuitBreaker d;
        const CircuitBreaker &v = *value.circuitBreaker;
        YAML::Node breaker(YAML::NodeType::Map);
        if (v.errorRatePercent != d.errorRatePercent) {
            breaker["error_rate"] = number(v.errorRatePercent) + '%';
        }
        if (v.minRequests != d.minRequests) {
            breaker["min_requests"] = v.minRequests;
        }
        if (v.window != d.window) {
            breaker["window"] = duration(v.window);
        }
        if (v.openFor != d.openFor) {
            breaker["open_for"] = duration(v.openFor);
        }
        node["circuit_breaker"] = breaker;
    }
    const RetryBudget defaultBudget;
    if (value.retryBudget != defaultBudget) {
        const RetryBudget &v = value.retryBudget;
        YAML::Node budget(YAML::NodeType::Map);
        if (v.percent != defaultBudget.percent) {
            budget["percent"] = number(v.percent) + '%';
        }
        if (v.minPerSecond != defaultBudget.minPerSecond) {
            budget["min_per_second"] = v.minPerSecond;
        }
        if (v.window != defaultBudget.window) {
            budget["window"] = duration(v.window);
        }
        node["retry_budget"] = budget;
    }
    return node;
}

YAML::Node match(const RouteMatch &value)
{
    YAML::Node node(YAML::NodeType::Map);
    switch (value.pathKind) {
    case RouteMatch::PathKind::Prefix:
        if (value.path != u"/") {
            node["path"] = str(value.path);
        }
        break;
    case RouteMatch::PathKind::Exact:
        node["path_exact"] = str(value.path);
        break;
    case RouteMatch::PathKind::Regex:
        node["path_regex"] = str(value.path);
        break;
    }
    setIfNotEmpty(node, "methods", value.methods);
    setIfNotEmpty(node, "hosts", value.hosts);
    setIfNotEmpty(node, "headers", value.headers);
    return node;
}

YAML::Node route(const Route &value)
{
    const Route defaults;
    YAML::Node node(YAML::NodeType::Map);
    node["name"] = str(value.name);
    const YAML::Node matchNode = match(value.match);
    if (matchNode.size() > 0) {
        node["match"] = matchNode;
    }
    setIfNotEmpty(node, "strip_prefix", value.stripPrefix);
    setIfNotEmpty(node, "upstream", value.upstream);
    if (value.respond) {
        YAML::Node respond(YAML::NodeType::Map);
        if (value.respond->status != 200) {
            respond["status"] = value.respond->status;
        }
        setIfNotEmpty(respond, "headers", value.respond->headers);
        if (!value.respond->body.isEmpty()) {
            respond["body"] = str(QString::fromUtf8(value.respond->body));
        }
        node["respond"] = respond;
    }
    if (value.timeout != defaults.timeout) {
        node["timeout"] = duration(value.timeout);
    }
    if (value.retries != defaults.retries) {
        node["retries"] = value.retries;
    }
    setIfNotEmpty(node, "auth", value.auth);
    setIfNotEmpty(node, "require", value.require);
    setIfNotEmpty(node, "rate_limit", value.rateLimit);
    if (value.canary) {
        YAML::Node canary(YAML::NodeType::Map);
        canary["upstream"] = str(value.canary->upstream);
        if (value.canary->percent != 0.0) {
            canary["percent"] = number(value.canary->percent);
        }
        setIfNotEmpty(canary, "header", value.canary->header);
        setIfNotEmpty(canary, "users", value.canary->users);
        node["canary"] = canary;
    }
    if (value.cors) {
        YAML::Node cors(YAML::NodeType::Map);
        setIfNotEmpty(cors, "origins", value.cors->origins);
        setIfNotEmpty(cors, "methods", value.cors->methods);
        setIfNotEmpty(cors, "headers", value.cors->headers);
        if (value.cors->credentials) {
            cors["credentials"] = true;
        }
        if (value.cors->maxAge.count() != 0) {
            cors["max_age"] = duration(value.cors->maxAge);
        }
        node["cors"] = cors;
    }
    if (value.compress) {
        node["compress"] = true;
    }
    if (!value.enabled) {
        node["enabled"] = false;
    }
    if (value.fault) {
        const Fault &v = *value.fault;
        YAML::Node fault(YAML::NodeType::Map);
        if (v.delay.count() != 0) {
            fault["delay"] = duration(v.delay);
        }
        // The percentages default to 100 when their fault is set: written whenever they differ
        // from what reading the rest back would give.
        if (v.delayPercent != (v.delay.count() != 0 ? 100.0 : 0.0)) {
            fault["delay_percent"] = number(v.delayPercent);
        }
        if (v.abortStatus != 0) {
            fault["abort_status"] = v.abortStatus;
        }
        if (v.abortPercent != (v.abortStatus != 0 ? 100.0 : 0.0)) {
            fault["abort_percent"] = number(v.abortPercent);
        }
        node["fault"] = fault;
    }
    return node;
}

YAML::Node jwt(const JwtProfile &value)
{
    const JwtProfile defaults;
    YAML::Node node(YAML::NodeType::Map);
    node["name"] = str(value.name);
    node["algorithms"] = stringList(value.algorithms);
    setSecret(node, "secret", value.secret);
    setSecret(node, "public_key", value.publicKey);
    setIfNotEmpty(node, "jwks", value.jwks);
    setSecret(node, "private_key", value.privateKey);
    setIfNotEmpty(node, "issuer", value.issuer);
    if (value.audience.size() == 1) {
        node["audience"] = str(value.audience.front());
    } else {
        setIfNotEmpty(node, "audience", value.audience);
    }
    if (value.leeway != defaults.leeway) {
        node["leeway"] = duration(value.leeway);
    }
    if (value.tokenFrom != defaults.tokenFrom) {
        node["token_from"] = stringList(value.tokenFrom);
    }
    setIfNotEmpty(node, "claims_to_headers", value.claimsToHeaders);
    if (value.revocationStore != JwtProfile().revocationStore) {
        node["revocation_store"] = str(value.revocationStore);
    }
    return node;
}

YAML::Node rateLimit(const RateLimitProfile &value)
{
    const RateLimitProfile defaults;
    YAML::Node node(YAML::NodeType::Map);
    node["name"] = str(value.name);
    node["requests"] = value.requests;
    if (value.per != defaults.per) {
        node["per"] = duration(value.per);
    }
    if (value.burst != defaults.burst) {
        node["burst"] = value.burst;
    }
    if (value.key != defaults.key) {
        node["key"] = str(value.key);
    }
    if (value.store != defaults.store) {
        node["store"] = str(value.store);
    }
    if (value.failClosed) {
        node["fail"] = "closed";
    }
    return node;
}

template<typename T, typename F>
void setList(YAML::Node &root, const char *key, const QList<T> &items, F convert)
{
    if (items.isEmpty()) {
        return;
    }
    YAML::Node list(YAML::NodeType::Sequence);
    for (const T &item : items) {
        list.push_back(convert(item));
    }
    root[key] = list;
}

bool isScalarList(const YAML::Node &node)
{
    if (!node.IsSequence()) {
        return false;
    }
    for (const YAML::Node &item : node) {
        if (!item.IsScalar()) {
            return false;
        }
    }
    return true;
}

// Sections and their entries are block style; inside an entry, anything that holds only scalars
// (or lists of scalars) is written inline, and so is anything empty.
void applyStyle(YAML::Node node, int depth)
{
    if (node.IsSequence()) {
        const bool flow = node.size() == 0 || (depth >= 1 && isScalarList(node));
        node.SetStyle(flow ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
        for (YAML::Node item : node) {
            applyStyle(item, depth + 1);
        }
        return;
    }
    if (!node.IsMap()) {
        return;
    }
    bool leaf = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
        leaf = leaf && (it->second.IsScalar() || isScalarList(it->second));
        applyStyle(it->second, depth + 1);
    }
    node.SetStyle((node.size() == 0 || (depth >= 3 && leaf)) ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
}

// yaml-cpp's own node emitter ignores the "!" tag on scalars, so the tree is walked by hand.
void emitNode(YAML::Emitter &out, const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        out << (node.Style() == YAML::EmitterStyle::Flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
        for (auto it = node.begin(); it != node.end(); ++it) {
            out << YAML::Key << it->first.Scalar() << YAML::Value;
            emitNode(out, it->second);
        }
        out << YAML::EndMap;
        break;
    case YAML::NodeType::Sequence:
        out << (node.Style() == YAML::EmitterStyle::Flow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
        for (const YAML::Node &item : node) {
            emitNode(out, item);
        }
        out << YAML::EndSeq;
        break;
    case YAML::NodeType::Scalar:
        if (node.Tag() == "!") {
            out << YAML::DoubleQuoted;
        }
        out << node.Scalar();
        break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        out << YAML::Null;
        break;
    }
}

// A blank line before each top-level section that spans several lines makes long profiles easier to scan.
QByteArray spaceSections(const char *text)
{
    const QList<QByteArray> lines = QByteArray(text).split('\n');
    QByteArray out;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const bool opensSection = i > 0 && !line.isEmpty() && line.front() != ' ' && line.front() != '-'
            && line.endsWith(':');
        if (opensSection) {
            out += '\n';
        }
        out += line;
        if (i + 1 < lines.size()) {
            out += '\n';
        }
    }
    if (!out.endsWith('\n')) {
        out += '\n';
    }
    return out;
}

} // namespace

QByteArray writeProfileYaml(const Profile &profile)
{
    const Profile defaults;
    YAML::Node root(YAML::NodeType::Map);
    root["gatehouse"] = 1;
    setIfNotEmpty(root, "name", profile.name);
    setList(root, "listen", profile.listen, listener);
    if (profile.admin) {
        root["admin"] = admin(*profile.admin);
    }
    if (profile.accessLog) {
        root["access_log"] = accessLog(*profile.accessLog);
    }
    if (profile.serverTiming != defaults.serverTiming) {
        root["server_timing"] = profile.serverTiming;
    }
    setList(root, "services", profile.services, service);
    const YAML::Node limitsNode = limits(profile.limits);
    if (limitsNode.size() > 0) {
        root["limits"] = limitsNode;
    }
    setList(root, "upstreams", profile.upstreams, upstream);
    setList(root, "routes", profile.routes, route);
    setList(root, "jwt", profile.jwt, jwt);
    setList(root, "rate_limits", profile.rateLimits, rateLimit);
    applyStyle(root, 0);

    YAML::Emitter out;
    out.SetIndent(2);
    out.SetBoolFormat(YAML::TrueFalseBool);
    emitNode(out, root);
    return spaceSections(out.c_str());
}

} // namespace gatehouse::profile
