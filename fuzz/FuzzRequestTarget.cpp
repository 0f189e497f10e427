// parseRequestTarget and matchRoute on an arbitrary request-target (the whole input).
//
// Checked: a valid path starts with '/', holds no dot segment (also %2e forms) and is a fixed point
// of the normaliser; SPEC §7.1's rules hold (unreserved %xx decoded, other escapes upper case, no
// "//", and no %2F, %5C, %00, '\' or ';' in a valid path, which is refused as bad_path instead);
// the route picked matches every condition and is the first that does; strip_prefix leaves a
// path starting with '/'.

#include "FuzzCheck.h"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/config/GatewayConfig.h"
#include "engine/pipeline/RequestTarget.h"
#include "engine/pipeline/Router.h"
#include "engine/profile/ProfileReader.h"

using namespace gatehouse;
using namespace gatehouse::engine;
using gatehouse::fuzz::check;

namespace {

// One route of each match kind and condition, so every branch of the router is reachable.
const QByteArray kProfile = R"(gatehouse: 1
name: fuzz-routing
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: u
    targets:
      - url: http://127.0.0.1:9
routes:
  - { name: health, match: { path_exact: /api/health }, upstream: u }
  - { name: users-dev, match: { path: /api/v1/users, methods: [GET], headers: { X-Env: dev } }, upstream: u }
  - { name: users-admin, match: { path: /api/v1/users, hosts: [admin.shop.test] }, upstream: u }
  - { name: api, match: { path: /api }, strip_prefix: /api, upstream: u }
  - { name: shop, match: { path: /shop, hosts: ["*.shop.test"] }, upstream: u }
  - { name: writes, match: { path: /items, methods: [POST, PUT] }, upstream: u }
  - { name: static, match: { path: /static/ }, strip_prefix: /static, upstream: u }
  - { name: orders, match: { path_regex: "^/(api/)?v[0-9]+/orders(/.*)?$" }, upstream: u }
  - { name: admin, match: { path: /admin }, respond: { status: 403 } }
)";

std::shared_ptr<const GatewayConfig> compiledConfig()
{
    const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("<fuzz>"), QString());
    check(read.ok(), "the routing profile reads");
    const CompileResult compiled = GatewayConfig::compile(*read.profile, 1);
    check(compiled.config != nullptr, "the routing profile compiles");
    return compiled.config;
}

bool isDotSegment(QByteArrayView segment)
{
    const QByteArray lower = segment.toByteArray().toLower().replace("%2e", ".");
    return lower == "." || lower == "..";
}

void checkNormalised(const QByteArray &path)
{
    check(path.startsWith('/'), "a valid path starts with '/'");
    for (const QByteArray &segment : path.split('/')) {
        check(!isDotSegment(segment), "no dot segments are left");
    }
    const RequestTarget again = parseRequestTarget(path);
    check(again.valid && again.path == path, "normalising twice changes nothing");
}

// What HttpParser's request-line pre-scan lets through: VCHAR except '#', and in the path every
// '%' starts a %xx escape. Only such targets ever reach parseRequestTarget in the gateway.
bool passesParser(QByteArrayView target)
{
    const qsizetype query = target.indexOf('?');
    const QByteArrayView path = query < 0 ? target : target.first(query);
    for (char c : target) {
        if (c < 0x21 || c > 0x7e || c == '#') {
            return false;
        }
    }
    // Every byte is ASCII now, so the <cctype> calls below are safe.
    for (qsizetype i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
        if (i + 2 >= path.size() || !isxdigit(path[i + 1]) || !isxdigit(path[i + 2])) {
            return false;
        }
    }
    return true;
}

bool isUnreserved(char c)
{
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
}

void checkStrict(QByteArrayView target, const RequestTarget &parsed)
{
    if (!parsed.valid) {
        return;
    }
    const QByteArray &path = parsed.path;
    check(!path.contains("//"), "§7.1: runs of '/' are merged");
    check(!path.contains('\\') && !path.contains(';'), "§7.1: '\\' and ';' get 400 bad_path");
    for (qsizetype i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
        if (!passesParser(target)) {
            break; // a malformed escape never gets this far
        }
        const QByteArray hex = path.mid(i + 1, 2);
        check(hex == hex.toUpper(), "§7.1: escapes are upper case");
        const char byte = char(hex.toInt(nullptr, 16));
        check(!isUnreserved(byte), "§7.1: escaped unreserved characters are decoded");
        check(byte != '/' && byte != '\\' && byte != '\0', "§7.1: %2F, %5C and %00 get 400 bad_path");
    }
}

void checkRoute(const GatewayConfig &config, QByteArrayView method, QByteArrayView host, const QByteArray &path,
                const QList<http::Header> &headers)
{
    const RouteDecision decision = matchRoute(config, method, host, path, headers);
    for (const CompiledRoute &route : config.routes) {
        const bool all = pathMatches(route, path) && hostMatches(route, host) && headersMatch(route, headers)
            && methodMatches(route, method);
        if (all) {
            check(decision.route == &route, "the first route matching everything wins");
            check(strippedPath(path, route.stripPrefix).startsWith('/'), "strip_prefix leaves a path");
            return;
        }
    }
    check(decision.route == nullptr, "no route without a match");
    for (const QByteArray &allowed : decision.allowedMethods) {
        check(allowed != method, "Allow never lists the method refused");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const std::shared_ptr<const GatewayConfig> config = compiledConfig();
    const QByteArrayView target(reinterpret_cast<const char *>(data), qsizetype(size));
    const RequestTarget parsed = parseRequestTarget(target);
    checkStrict(target, parsed);
    if (!parsed.valid) {
        return 0;
    }
    checkNormalised(parsed.path);
    if (parsed.absoluteForm) {
        check(!parsed.authority.isEmpty() && !parsed.authority.contains('@'), "an authority without userinfo");
    }
    const QByteArray host = parsed.absoluteForm ? parsed.authority.toLower() : QByteArray("localhost");
    checkRoute(*config, "GET", host, parsed.path, { { "X-Env", "dev" } });
    checkRoute(*config, "DELETE", host, parsed.path, {});
    return 0;
}
