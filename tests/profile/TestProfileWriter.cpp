#include "ProfileTestData.h"

#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"
#include "engine/profile/Values.h"

#include <functional>

#include <QDirIterator>
#include <QTest>

Q_DECLARE_METATYPE(std::function<void(gatehouse::profile::Profile &)>)

using namespace gatehouse::profile;
using namespace std::chrono_literals;

namespace {

std::optional<Profile> read(const QByteArray &yaml)
{
    const ReadResult result = readProfile(yaml, QStringLiteral("written.yaml"), {});
    if (!result.ok()) {
        qWarning().noquote() << testdata::describeProblems(result.problems) << "\nin:\n" << yaml;
    }
    return result.profile;
}

Profile kitchenSink()
{
    return read(testdata::read(QStringLiteral("tests/profile/data/kitchen-sink.yaml"))).value_or(Profile {});
}

} // namespace

class TestProfileWriter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void kitchenSinkWritesEveryKey();
    void canonicalOutput();
    void defaultsAreOmitted();
    void sameContentIgnoresOrigin();
    void sameContentSeesChanges_data();
    void sameContentSeesChanges();
};

void TestProfileWriter::roundTrip_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("kitchen-sink") << testdata::path(QStringLiteral("tests/profile/data/kitchen-sink.yaml"));
    QDirIterator it(testdata::path(QStringLiteral("profiles")), { QStringLiteral("*.yaml") }, QDir::Files,
                    QDirIterator::Subdirectories);
    int examples = 0;
    while (it.hasNext()) {
        const QString file = it.next();
        QTest::newRow(qPrintable(QDir(testdata::sourceDir()).relativeFilePath(file))) << file;
        ++examples;
    }
    QVERIFY(examples >= 2);
}

void TestProfileWriter::roundTrip()
{
    QFETCH(QString, file);
    const ReadResult original = readProfileFile(file);
    QVERIFY2(original.ok(), qPrintable(testdata::describeProblems(original.problems)));

    const QByteArray written = writeProfileYaml(*original.profile);
    const auto reread = read(written);
    QVERIFY(reread);
    QVERIFY2(reread->sameContent(*original.profile), written.constData());

    // Canonical means stable: writing what was read back gives the same bytes.
    const QByteArray rewritten = writeProfileYaml(*reread);
    QCOMPARE(rewritten, written);
}

void TestProfileWriter::kitchenSinkWritesEveryKey()
{
    const Profile profile = kitchenSink();
    QVERIFY(!profile.routes.isEmpty());
    const QByteArray written = writeProfileYaml(profile);
    // Every key of the format, each set to a non-default value in the kitchen sink, must survive.
    const char *keys[] = { "gatehouse", "name", "listen", "bind", "tls", "cert", "key", "admin", "token",
                           "allow_remote", "access_log", "file", "max_size", "keep", "server_timing", "services",
                           "kind", "delay", "fail_rate", "limits", "max_header_bytes", "max_body_bytes",
                           "header_timeout", "idle_timeout", "max_connections", "upstreams", "balance", "hash_on",
                           "targets", "url", "weight", "connect_timeout", "keepalive", "ca", "verify",
                           "server_name", "health_check", "path", "interval", "timeout", "healthy_after",
                           "unhealthy_after", "expect_status", "outlier", "consecutive_failures", "eject_for", "circuit_breaker",
                           "error_rate", "min_requests", "window", "open_for", "retry_budget", "min_per_second", "routes", "match", "path_exact",
                           "path_regex", "methods", "hosts", "headers", "strip_prefix", "upstream", "respond",
                           "status", "body", "retries", "auth", "require", "rate_limit", "canary", "percent",
                           "header", "users", "cors", "origins", "credentials", "max_age", "compress", "fault",
                           "delay_percent", "abort_status", "abort_percent", "jwt", "algorithms", "secret",
                           "public_key", "jwks", "private_key", "issuer", "audience", "leeway", "token_from",
                           "claims_to_headers", "rate_limits", "requests", "per", "burst", "store", "redirect_https",
                           "certificates", "auto", "enabled" };
    for (const char *key : keys) {
        const QByteArray needle = QByteArray(key) + ':';
        QVERIFY2(written.contains(needle), qPrintable(QStringLiteral("missing %1 in\n%2")
                                                          .arg(QString::fromLatin1(key), QString::fromUtf8(written))));
    }
    QVERIFY(written.contains("1500ms"));
    QVERIFY(written.contains("error_rate: 12.5%"));
    QVERIFY(written.contains("expect_status: 200-299"));
    QVERIFY(written.contains("retry_budget: {percent: 10%, min_per_second: 2, window: 30s}"));
    QVERIFY(written.contains("idle_timeout: 2h"));
    QVERIFY(written.contains("max_header_bytes: 32KiB"));
    QVERIFY(written.contains("max_body_bytes: 1048577"));
    // Strings that YAML would otherwise read as numbers are quoted, so other YAML tools agree.
    QVERIFY(written.contains("X-Number: \"42\""));
    QVERIFY(written.contains("tier: \"1\""));
}

void TestProfileWriter::canonicalOutput()
{
    Profile profile;
    profile.name = QStringLiteral("demo");
    profile.listen.append(Listener { HostPort { QStringLiteral("127.0.0.1"), 8080 }, std::nullopt, false, {}, {} });
    profile.listen.append(Listener { HostPort { QStringLiteral("::1"), 8443 },
                                     ListenerTls { QStringLiteral("c.pem"), QStringLiteral("k.pem"), {}, false }, false, {}, {} });
    Service echo;
    echo.name = QStringLiteral("echo-1");
    echo.bind = HostPort { QStringLiteral("127.0.0.1"), 8001 };
    echo.delay = 60'000ms;
    profile.services.append(echo);
    profile.limits.maxBodyBytes = 64 * 1024;
    profile.limits.idleTimeout = 1500ms;
    Upstream users;
    users.name = QStringLiteral("users");
    users.balance = Balance::LeastConnections;
    Target target = parseTargetUrl(u"http://127.0.0.1:8001").value_or(Target {});
    target.weight = 2;
    users.targets.append(target);
    users.outlier = Outlier {};
    profile.upstreams.append(users);
    Route api;
    api.name = QStringLiteral("api");
    api.match.path = QStringLiteral("/api");
    api.match.methods = QStringList { QStringLiteral("GET"), QStringLiteral("POST") };
    api.match.hosts = QStringList { QStringLiteral("*.shop.test") };
    api.upstream = QStringLiteral("users");
    api.timeout = 5s;
    profile.routes.append(api);
    Route hello;
    hello.name = QStringLiteral("hello");
    hello.match.pathKind = RouteMatch::PathKind::Exact;
    hello.match.path = QStringLiteral("/hello");
    hello.respond = Respond { 200, { { QStringLiteral("Content-Type"), QStringLiteral("application/json") } },
                              QByteArray(R"({"hello":"world"})") };
    profile.routes.append(hello);
    RateLimitProfile limit;
    limit.name = QStringLiteral("per-ip");
    limit.requests = 10;
    limit.per = 1min;
    limit.key = QStringLiteral("ip");
    profile.rateLimits.append(limit);

    const QByteArray expected = R"(gatehouse: 1
name: demo

listen:
  - bind: 127.0.0.1:8080
  - bind: "[::1]:8443"
    tls: {cert: c.pem, key: k.pem}

services:
  - name: echo-1
    kind: echo
    bind: 127.0.0.1:8001
    delay: 1m

limits:
  max_body_bytes: 64KiB
  idle_timeout: 1500ms

upstreams:
  - name: users
    balance: least_connections
    targets:
      - {url: http://127.0.0.1:8001, weight: 2}
    outlier: {}

routes:
  - name: api
    match: {path: /api, methods: [GET, POST], hosts: ["*.shop.test"]}
    upstream: users
    timeout: 5s
  - name: hello
    match: {path_exact: /hello}
    respond:
      headers: {Content-Type: application/json}
      body: "{\"hello\":\"world\"}"

rate_limits:
  - name: per-ip
    requests: 10
    per: 1m
    key: ip
)";
    const QByteArray written = writeProfileYaml(profile);
    QCOMPARE(written, expected);
    const auto reread = read(written);
    QVERIFY(reread);
    QVERIFY(reread->sameContent(profile));
}

void TestProfileWriter::defaultsAreOmitted()
{
    const auto minimal = read("gatehouse: 1\n"
                              "listen: [{ bind: 127.0.0.1:8080 }]\n"
                              "server_timing: true\n"
                              "limits: { max_header_bytes: 64KiB, idle_timeout: 60s, max_connections: 10000 }\n"
                              "upstreams: [{ name: u, balance: round_robin, keepalive: 32, connect_timeout: 1000ms,\n"
                              "              targets: [{ url: http://h:1, weight: 1 }] }]\n"
                              "routes: [{ name: r, match: { path: / }, upstream: u, timeout: 30s, retries: 0, compress: false }]\n"
                              "rate_limits: [{ name: l, requests: 5, per: 1s, burst: 0, key: consumer, store: local }]\n");
    QVERIFY(minimal);
    QCOMPARE(writeProfileYaml(*minimal), QByteArray("gatehouse: 1\n"
                                                    "\n"
                                                    "listen:\n"
                                                    "  - bind: 127.0.0.1:8080\n"
                                                    "\n"
                                                    "upstreams:\n"
                                                    "  - name: u\n"
                                                    "    targets:\n"
                                                    "      - {url: http://h:1}\n"
                                                    "\n"
                                                    "routes:\n"
                                                    "  - name: r\n"
                                                    "    upstream: u\n"
                                                    "\n"
                                                    "rate_limits:\n"
                                                    "  - name: l\n"
                                                    "    requests: 5\n"));
}

void TestProfileWriter::sameContentIgnoresOrigin()
{
    Profile a = kitchenSink();
    Profile b = a;
    b.filePath = QStringLiteral("/elsewhere/p.yaml");
    b.baseDir = QStringLiteral("/elsewhere");
    b.routes[0].pos = SourcePos { 99, 1 };
    b.upstreams[0].targets[0].pos = SourcePos { 7, 7 };
    QVERIFY(a.sameContent(b));
    QVERIFY(b.sameContent(a));
}

void TestProfileWriter::sameContentSeesChanges_data()
{
    QTest::addColumn<std::function<void(Profile &)>>("change");
    QTest::newRow("name") << std::function<void(Profile &)>([](Profile &p) { p.name += u'x'; });
    QTest::newRow("listener port") << std::function<void(Profile &)>([](Profile &p) { p.listen[0].bind.port++; });
    QTest::newRow("admin token") << std::function<void(Profile &)>([](Profile &p) { p.admin->token.name += u'x'; });
    QTest::newRow("server timing") << std::function<void(Profile &)>([](Profile &p) { p.serverTiming = !p.serverTiming; });
    QTest::newRow("service delay") << std::function<void(Profile &)>([](Profile &p) { p.services[0].delay += 1ms; });
    QTest::newRow("limits") << std::function<void(Profile &)>([](Profile &p) { p.limits.maxConnections++; });
    QTest::newRow("target weight") << std::function<void(Profile &)>([](Profile &p) { p.upstreams[0].targets[0].weight++; });
    QTest::newRow("health check") << std::function<void(Profile &)>([](Profile &p) { p.upstreams[1].healthCheck.reset(); });
    QTest::newRow("route header") << std::function<void(Profile &)>([](Profile &p) { p.routes[0].match.headers.removeLast(); });
    QTest::newRow("respond body") << std::function<void(Profile &)>([](Profile &p) { p.routes[1].respond->body.chop(1); });
    QTest::newRow("fault") << std::function<void(Profile &)>([](Profile &p) { p.routes[0].fault->abortStatus = 502; });
    QTest::newRow("jwt audience") << std::function<void(Profile &)>([](Profile &p) { p.jwt[1].audience.removeLast(); });
    QTest::newRow("rate limit burst") << std::function<void(Profile &)>([](Profile &p) { p.rateLimits[0].burst++; });
}

void TestProfileWriter::sameContentSeesChanges()
{
    QFETCH(std::function<void(Profile &)>, change);
    const Profile original = kitchenSink();
    QVERIFY(!original.routes.isEmpty());
    Profile changed = original;
    change(changed);
    QVERIFY(!original.sameContent(changed));
    // The writer sees the change too, so an edited profile never round-trips to the old one.
    const auto reread = read(writeProfileYaml(changed));
    QVERIFY(reread);
    QVERIFY(reread->sameContent(changed));
    QVERIFY(!reread->sameContent(original));
}

QTEST_APPLESS_MAIN(TestProfileWriter)
#include "TestProfileWriter.moc"
