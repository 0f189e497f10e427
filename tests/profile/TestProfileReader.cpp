#include "ProfileTestData.h"

#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"

#include <QDirIterator>
#include <QTemporaryDir>
#include <QTest>

using namespace gatehouse::profile;
using namespace std::chrono_literals;

namespace {

Profile readOk(const QByteArray &yaml)
{
    const ReadResult result = readProfile(yaml, QStringLiteral("test.yaml"), QStringLiteral("/base"));
    if (!result.ok()) {
        qWarning().noquote() << testdata::describeProblems(result.problems);
        return Profile {};
    }
    return *result.profile;
}

} // namespace

class TestProfileReader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void examples_data();
    void examples();
    void defaultProfile();
    void defaults();
    void listenerTlsForms();
    void faultPercentsDefaultToAll();
    void kitchenSinkValues();
    void badProfiles_data();
    void badProfiles();
    void collectsAllProblems();
    void problemsAreOrderedAndNamed();
    void garbageNeverThrows_data();
    void garbageNeverThrows();
    void readFile();
    void readMissingFile();
};

void TestProfileReader::examples_data()
{
    QTest::addColumn<QString>("file");
    QDirIterator it(testdata::path(QStringLiteral("profiles")), { QStringLiteral("*.yaml") }, QDir::Files,
                    QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext()) {
        files.append(it.next());
    }
    files.sort();
    // The two the product promises must be there; a typo in the folder must not pass with zero rows.
    QVERIFY(files.contains(testdata::path(QStringLiteral("profiles/default.yaml"))));
    QVERIFY(files.contains(testdata::path(QStringLiteral("profiles/examples/shop.yaml"))));
    for (const QString &file : std::as_const(files)) {
        QTest::newRow(qPrintable(QDir(testdata::sourceDir()).relativeFilePath(file))) << file;
    }
}

void TestProfileReader::examples()
{
    QFETCH(QString, file);
    const ReadResult result = readProfileFile(file);
    QVERIFY2(result.ok(), qPrintable(testdata::describeProblems(result.problems)));
    QVERIFY(result.problems.isEmpty());
    QVERIFY(!result.profile->listen.isEmpty());
    QVERIFY(!result.profile->routes.isEmpty());
}

void TestProfileReader::defaultProfile()
{
    const ReadResult result = readProfileFile(testdata::path(QStringLiteral("profiles/default.yaml")));
    QVERIFY2(result.ok(), qPrintable(testdata::describeProblems(result.problems)));
    const Profile &p = *result.profile;
    QCOMPARE(p.listen.size(), 1);
    QCOMPARE(p.listen[0].bind, (HostPort { QStringLiteral("127.0.0.1"), 8080 }));
    QVERIFY(!p.listen[0].tls);
    // Works with nothing else running: no admin token, no JWT secret, no rate-limit store to set up.
    QVERIFY(!p.admin);
    QVERIFY(p.jwt.isEmpty());
    QVERIFY(p.rateLimits.isEmpty());

    QVERIFY(p.services.size() >= 2);
    QCOMPARE(p.services[0].name, QStringLiteral("users-1"));
    QCOMPARE(p.services[0].bind, (HostPort { QStringLiteral("127.0.0.1"), 8001 }));
    QCOMPARE(p.services[1].name, QStringLiteral("users-2"));
    QCOMPARE(p.services[1].bind, (HostPort { QStringLiteral("127.0.0.1"), 8002 }));
    for (const Service &service : p.services) {
        QCOMPARE(service.kind, QStringLiteral("echo"));
    }

    const auto users = std::find_if(p.upstreams.cbegin(), p.upstreams.cend(),
                                    [](const Upstream &u) { return u.name == u"users"; });
    QVERIFY(users != p.upstreams.cend());
    QCOMPARE(users->balance, Balance::RoundRobin);
    QCOMPARE(users->targets.size(), 2);
    QCOMPARE(users->targets[0].port, 8001);
    QCOMPARE(users->targets[0].weight, 2);
    QCOMPARE(users->targets[1].port, 8002);
    QCOMPARE(users->targets[1].weight, 1);

    QVERIFY(p.routes.size() >= 2);
    QCOMPARE(p.routes[0].match.path, QStringLiteral("/api/users"));
    QCOMPARE(p.routes[0].stripPrefix, QStringLiteral("/api"));
    QCOMPARE(p.routes[0].upstream, QStringLiteral("users"));
    const auto hello = std::find_if(p.routes.cbegin(), p.routes.cend(), [](const Route &r) {
        return r.match.pathKind == RouteMatch::PathKind::Exact && r.match.path == u"/hello";
    });
    QVERIFY(hello != p.routes.cend());
    QVERIFY(hello->respond);
    QCOMPARE(hello->respond->status, 200);
    for (const Route &route : p.routes) {
        QVERIFY(route.auth.isEmpty());
        QVERIFY(route.rateLimit.isEmpty());
    }
}

void TestProfileReader::defaults()
{
    const Profile p = readOk("gatehouse: 1\n"
                             "listen: [{ bind: 127.0.0.1:0 }]\n"
                             "admin: { bind: 127.0.0.1:9901, token: env:T }\n"
                             "access_log: { file: a.log }\n"
                             "services: [{ name: s, bind: 127.0.0.1:0 }]\n"
                             "upstreams:\n"
                             "  - name: u\n"
                             "    targets: [{ url: http://127.0.0.1:1 }]\n"
                             "    health_check: {}\n"
                             "    outlier: {}\n"
                             "    circuit_breaker: {}\n"
                             "    tls: {}\n"
                             "routes:\n"
                             "  - name: r\n"
                             "    upstream: u\n"
                             "    fault: {}\n"
                             "  - { name: x, match: { path_exact: /x }, respond: {} }\n"
                             "jwt: [{ name: j, algorithms: [HS256], secret: env:S }]\n"
                             "rate_limits: [{ name: l, requests: 10 }]\n");
    QCOMPARE(p.version, 1);
    QVERIFY(p.serverTiming);
    QCOMPARE(p.listen[0].bind.port, 0);
    QCOMPARE(p.admin->allowRemote, false);
    QVERIFY(!p.admin->tls);
    QCOMPARE(p.accessLog->maxSize, 50LL * 1024 * 1024);
    QCOMPARE(p.accessLog->keep, 5);
    QCOMPARE(p.services[0].kind, QStringLiteral("echo"));
    QCOMPARE(p.services[0].delay, 0ms);
    QCOMPARE(p.services[0].failRate, 0.0);

    QCOMPARE(p.limits.maxHeaderBytes, 64 * 1024);
    QCOMPARE(p.limits.maxBodyBytes, 10LL * 1024 * 1024);
    QCOMPARE(p.limits.headerTimeout, 10s);
    QCOMPARE(p.limits.idleTimeout, 60s);
    QCOMPARE(p.limits.maxConnections, 10000);

    const Upstream &u = p.upstreams[0];
    QCOMPARE(u.balance, Balance::RoundRobin);
    QVERIFY(u.hashOn.isEmpty());
    QCOMPARE(u.targets[0].weight, 1);
    QCOMPARE(u.targets[0].scheme, QStringLiteral("http"));
    QCOMPARE(u.connectTimeout, 1s);
    QCOMPARE(u.keepalive, 32);
    QCOMPARE(u.tls->verify, true);
    QCOMPARE(u.healthCheck->path, QStringLiteral("/health"));
    QCOMPARE(u.healthCheck->interval, 5s);
    QCOMPARE(u.healthCheck->timeout, 1s);
    QCOMPARE(u.healthCheck->healthyAfter, 2);
    QCOMPARE(u.healthCheck->unhealthyAfter, 3);
    QCOMPARE(u.healthCheck->expectStatusMin, 200);
    QCOMPARE(u.healthCheck->expectStatusMax, 399);
    QCOMPARE(u.retryBudget.percent, 20.0);
    QCOMPARE(u.retryBudget.minPerSecond, 5);
    QCOMPARE(u.retryBudget.window, 10s);
    QCOMPARE(u.outlier->consecutiveFailures, 5);
    QCOMPARE(u.outlier->ejectFor, 30s);
    QCOMPARE(u.circuitBreaker->errorRatePercent, 50.0);
    QCOMPARE(u.circuitBreaker->minRequests, 20);
    QCOMPARE(u.circuitBreaker->window, 10s);
    QCOMPARE(u.circuitBreaker->openFor, 10s);

    const Route &r = p.routes[0];
    QCOMPARE(r.match.pathKind, RouteMatch::PathKind::Prefix);
    QCOMPARE(r.match.path, QStringLiteral("/"));
    QVERIFY(r.match.methods.isEmpty());
    QCOMPARE(r.timeout, 30s);
    QCOMPARE(r.retries, 0);
    QVERIFY(!r.compress);
    QVERIFY(!r.respond && !r.canary && !r.cors);
    QCOMPARE(r.fault->abortStatus, 0);
    QCOMPARE(p.routes[1].respond->status, 200);
    QVERIFY(p.routes[1].respond->body.isEmpty());

    QCOMPARE(p.jwt[0].tokenFrom, QStringList { QStringLiteral("header:Authorization") });
    QCOMPARE(p.jwt[0].leeway, 0ms);
    QCOMPARE(p.rateLimits[0].per, 1s);
    QCOMPARE(p.rateLimits[0].burst, 0);
    QCOMPARE(p.rateLimits[0].key, QStringLiteral("consumer"));
    QCOMPARE(p.rateLimits[0].store, QStringLiteral("local"));
}

// A fault with a delay or an abort status and no percentage fires on every request; an explicit
// 0 keeps it off, and survives a write and read back.
void TestProfileReader::listenerTlsForms()
{
    const ReadResult result = readProfile("gatehouse: 1\n"
                                          "listen:\n"
                                          "  - bind: 127.0.0.1:8443\n"
                                          "    tls:\n"
                                          "      cert: default.pem\n"
                                          "      key: default-key.pem\n"
                                          "      certificates:\n"
                                          "        - { hosts: [A.test], cert: a.pem, key: a-key.pem }\n"
                                          "        - { hosts: [\"*.b.test\", c.test], cert: b.pem, key: b-key.pem }\n"
                                          "  - bind: 127.0.0.1:9443\n"
                                          "    tls: { auto: true }\n"
                                          "  - bind: 127.0.0.1:8080\n"
                                          "    redirect_https: true\n",
                                          QStringLiteral("t.yaml"), QStringLiteral("/srv"));
    QVERIFY2(result.ok(), qPrintable(testdata::describeProblems(result.problems)));
    const Profile &p = *result.profile;
    QCOMPARE(p.listen[0].tls->cert, QStringLiteral("default.pem"));
    QCOMPARE(p.listen[0].tls->certificates.size(), 2);
    QCOMPARE(p.listen[0].tls->certificates[0].hosts, QStringList { QStringLiteral("a.test") }); // lower case
    QCOMPARE(p.listen[0].tls->certificates[1].hosts, (QStringList { QStringLiteral("*.b.test"), QStringLiteral("c.test") }));
    QCOMPARE(p.listen[0].tls->certificates[1].key, QStringLiteral("b-key.pem"));
    QVERIFY(!p.listen[0].tls->autoIssue);
    QVERIFY(p.listen[1].tls->autoIssue);
    QVERIFY(p.listen[1].tls->cert.isEmpty());
    QVERIFY(!p.listen[2].tls);
    QVERIFY(p.listen[2].redirectHttps);
    QVERIFY(!p.listen[0].redirectHttps);
}

void TestProfileReader::faultPercentsDefaultToAll()
{
    const QByteArray head = "gatehouse: 1\nroutes:\n  - name: r\n    respond: {}\n    fault: ";
    const Profile all = readOk(head + "{ delay: 2s, abort_status: 503 }\n");
    QCOMPARE(all.routes.value(0).fault->delayPercent, 100.0);
    QCOMPARE(all.routes.value(0).fault->abortPercent, 100.0);
    const Profile off = readOk(head + "{ delay: 2s, delay_percent: 0, abort_status: 503, abort_percent: 0 }\n");
    QCOMPARE(off.routes.value(0).fault->delayPercent, 0.0);
    QCOMPARE(off.routes.value(0).fault->abortPercent, 0.0);
    const Profile reread = readOk(writeProfileYaml(off));
    QCOMPARE(reread.routes.value(0).fault->delayPercent, 0.0);
    QCOMPARE(reread.routes.value(0).fault->abortPercent, 0.0);
    const Profile none = readOk(head + "{}\n");
    QCOMPARE(none.routes.value(0).fault->delayPercent, 0.0);
    QCOMPARE(none.routes.value(0).fault->abortPercent, 0.0);
}

void TestProfileReader::kitchenSinkValues()
{
    const ReadResult result = readProfile(testdata::read(QStringLiteral("tests/profile/data/kitchen-sink.yaml")),
                                          QStringLiteral("kitchen-sink.yaml"), QStringLiteral("/srv/gh"));
    QVERIFY2(result.ok(), qPrintable(testdata::describeProblems(result.problems)));
    const Profile &p = *result.profile;
    QCOMPARE(p.baseDir, QStringLiteral("/srv/gh"));
    QCOMPARE(p.listen[1].bind, (HostPort { QStringLiteral("::1"), 18443 }));
    // Paths stay as written; users of the model resolve them against baseDir.
    QCOMPARE(p.listen[1].tls->cert, QStringLiteral("certs/localhost.pem"));
    QCOMPARE(p.admin->token, (SecretRef { SecretRef::Kind::Env, QStringLiteral("GATEHOUSE_ADMIN_TOKEN") }));
    QVERIFY(p.admin->allowRemote);
    QCOMPARE(p.accessLog->maxSize, 20LL * 1024 * 1024);
    QVERIFY(!p.serverTiming);
    QCOMPARE(p.services[0].delay, 1500ms);
    QCOMPARE(p.services[0].failRate, 0.25);
    QCOMPARE(p.limits.maxBodyBytes, 1048577);
    QCOMPARE(p.limits.idleTimeout, 2h);

    const Upstream &u = p.upstreams[0];
    QCOMPARE(u.balance, Balance::ConsistentHash);
    QCOMPARE(u.hashOn, QStringLiteral("cookie:session"));
    QCOMPARE(u.targets[1].scheme, QStringLiteral("https"));
    QCOMPARE(u.targets[1].host, QStringLiteral("::1"));
    QCOMPARE(u.targets[1].port, 18002);
    QCOMPARE(u.targets[1].url, QStringLiteral("https://[::1]:18002"));
    QCOMPARE(u.connectTimeout, 250ms);
    QCOMPARE(u.circuitBreaker->errorRatePercent, 12.5);
    QCOMPARE(u.healthCheck->interval, 2min);
    QCOMPARE(u.healthCheck->expectStatusMin, 200);
    QCOMPARE(u.healthCheck->expectStatusMax, 299);
    QCOMPARE(u.retryBudget.percent, 10.0);
    QCOMPARE(u.retryBudget.minPerSecond, 2);
    QCOMPARE(u.retryBudget.window, 30s);
    QCOMPARE(u.tls->serverName, QStringLiteral("users.internal"));

    const Route &r = p.routes[0];
    QCOMPARE(r.match.methods, (QStringList { QStringLiteral("GET"), QStringLiteral("POST") }));
    QCOMPARE(r.match.hosts,
             (QStringList { QStringLiteral("localhost"), QStringLiteral("*.shop.test"), QStringLiteral("127.0.0.1") }));
    QCOMPARE(r.match.headers.size(), 2);
    QCOMPARE(r.match.headers[1], (QPair<QString, QString> { QStringLiteral("X-Number"), QStringLiteral("42") }));
    QCOMPARE(r.require[1], (QPair<QString, QString> { QStringLiteral("tier"), QStringLiteral("1") }));
    QCOMPARE(r.canary->percent, 12.5);
    QCOMPARE(r.canary->users.size(), 2);
    QCOMPARE(r.cors->maxAge, 10min);
    QCOMPARE(r.fault->abortPercent, 0.5);
    QCOMPARE(p.routes[1].respond->status, 418);
    QCOMPARE(p.routes[1].respond->body, QByteArray("line one\nline two: with \"quotes\" and \xc3\xbcn\xc3\xaf" "code\n"));
    QCOMPARE(p.routes[2].match.pathKind, RouteMatch::PathKind::Regex);
    QCOMPARE(p.routes[2].match.path, QStringLiteral("^/api/v[0-9]+/orders(/.*)?$"));

    QCOMPARE(p.jwt[0].audience, QStringList { QStringLiteral("shop-api") });
    QCOMPARE(p.jwt[1].audience, (QStringList { QStringLiteral("a"), QStringLiteral("b") }));
    QCOMPARE(p.jwt[1].publicKey, (SecretRef { SecretRef::Kind::File, QStringLiteral("keys/public.pem") }));
    QCOMPARE(p.jwt[0].tokenFrom.size(), 3);
    QCOMPARE(p.rateLimits[0].store, QStringLiteral("redis://127.0.0.1:6379/2"));
    QCOMPARE(p.rateLimits[0].per, 2s);
    QVERIFY(!p.rateLimits[0].failClosed);
    QVERIFY(p.rateLimits[1].failClosed);
    QCOMPARE(p.routes[0].pos, (SourcePos { 56, 5 }));
    QCOMPARE(p.upstreams[0].targets[1].pos, (SourcePos { 39, 9 }));
}

void TestProfileReader::badProfiles_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    const auto add = [](const char *name, const char *yaml, int line, int column, const char *message) {
        QTest::newRow(name) << QByteArray(yaml) << line << column << QString::fromUtf8(message);
    };
    // Shared tails so each row shows only what is wrong with it.
#define LISTEN "listen: [{ bind: 127.0.0.1:8080 }]\n"
#define UPSTREAM "upstreams: [{ name: u, targets: [{ url: http://127.0.0.1:8001 }] }]\n"

    // Document structure and YAML itself.
    add("empty file", "", 1, 1, "the profile is empty");
    add("only a comment", "# nothing here\n", 1, 1, "the profile is empty");
    add("root is a list", "- gatehouse\n- 1\n", 1, 1, "must be a map");
    add("root is a scalar", "hello\n", 1, 1, "must be a map");
    add("syntax: unclosed flow list", "gatehouse: 1\nlisten: [ { bind: 127.0.0.1:8080 }\nroutes: []\n", 3, 1,
        "YAML syntax error");
    add("syntax: bad indentation", "gatehouse: 1\nlimits:\n    idle_timeout: 5s\n  header_timeout: 5s\n", 4, 3,
        "YAML syntax error");
    add("syntax: undefined alias", "gatehouse: 1\nname: *nothing\n", 2, 7, "anchor is not defined");
    add("two documents", "gatehouse: 1\n---\ngatehouse: 1\n", 3, 1, "single YAML document");
    // yaml-cpp 0.7's LoadAll looped forever on these (fuzz/regressions/profile_reader).
    add("leading comma", ",\n", 1, 1, "YAML syntax error");
    add("comma after a document", "gatehouse: 1\n---\n,\n", 3, 1, "YAML syntax error");
    add("missing version", "name: x\n" LISTEN, 1, 1, "missing 'gatehouse: 1'");
    add("version 2", "gatehouse: 2\n", 1, 12, "unsupported profile version 2");
    add("version quoted", "gatehouse: \"1\"\n", 1, 12, "unsupported profile version");
    add("duplicate key", "gatehouse: 1\nname: a\nname: b\n", 3, 1, "duplicate key 'name'");
    add("empty value points at the key", "gatehouse: 1\nname:\n" LISTEN, 2, 1, "'name' needs a value");

    // Unknown keys, at every level, at the key.
    add("unknown top-level key", "gatehouse: 1\nroutez: []\n", 2, 1, "unknown key 'routez' in the profile; did you mean 'routes'?");
    add("unknown key in listener", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8080\n    tsl: {}\n", 4, 5,
        "unknown key 'tsl' in a listener; did you mean 'tls'?");
    add("unknown key in match", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    match: { path: /a, metods: [GET] }\n",
        6, 24, "did you mean 'methods'?");
    add("transposed key", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8080\n    tsl: {}\n", 4, 5, "did you mean 'tls'?");
    add("no far-fetched suggestion", "gatehouse: 1\nbase: 1\n", 2, 1, "unknown key 'base' in the profile (known keys: gatehouse, name,");
    add("unknown key lists known keys", "gatehouse: 1\nlimits: { max_everything: 5 }\n", 2, 11, "known keys: max_header_bytes");
    add("unknown key in health_check", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://127.0.0.1:1 }]\n    health_check: { path: /h, retries: 2 }\n",
        5, 31, "unknown key 'retries' in 'health_check'");

    // Types and scalar values, at the value.
    add("listen is not a list", "gatehouse: 1\nlisten: 127.0.0.1:8080\n", 2, 9, "'listen' must be a list");
    add("bool expected", "gatehouse: 1\nserver_timing: yes\n", 2, 16, "'server_timing' must be true or false");
    add("duration without unit", "gatehouse: 1\nlimits:\n  header_timeout: 10\n", 3, 19, "has no unit");
    add("duration with bad unit", "gatehouse: 1\nlimits:\n  idle_timeout: 5 minutes\n", 3, 17, "invalid duration '5 minutes'");
    add("decimal size unit", "gatehouse: 1\nlimits:\n  max_body_bytes: 10MB\n", 3, 19, "use binary units");
    add("integer expected", "gatehouse: 1\nlimits:\n  max_connections: many\n", 3, 20, "'max_connections' must be a whole number");
    add("quoted integer", "gatehouse: 1\naccess_log: { file: a.log, keep: \"5\" }\n", 2, 34, "'keep' must be a whole number");

    // Addresses.
    add("port out of range", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:70000\n", 3, 11, "invalid port '70000'");
    add("bind without port", "gatehouse: 1\nlisten:\n  - bind: localhost\n", 3, 11, "needs a port");
    add("IPv6 without brackets", "gatehouse: 1\nlisten:\n  - bind: \"::1:8080\"\n", 3, 11, "in brackets");
    add("bind used twice", "gatehouse: 1\n" LISTEN "services: [{ name: s, bind: \"127.0.0.1:8080\" }]\n", 3, 29,
        "address 127.0.0.1:8080 is already used by a listener");
    add("wildcard bind overlaps", "gatehouse: 1\n" LISTEN "admin: { bind: 0.0.0.0:8080, token: env:T, allow_remote: true, tls: { cert: a, key: b } }\n",
        3, 16, "already used");
    add("admin on a public address", "gatehouse: 1\n" LISTEN "admin:\n  bind: 0.0.0.0:9901\n  token: env:TOKEN\n", 4, 9,
        "not a loopback address");
    // Listener TLS: one way to get a certificate, and redirects that have somewhere to go.
    add("listener tls without certificate", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8443\n    tls: {}\n", 4, 10,
        "needs 'cert' and 'key', 'certificates', or 'auto: true'");
    add("listener tls cert without key", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8443\n    tls: { cert: c.pem }\n", 4, 10,
        "needs 'key'");
    add("auto with a certificate", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8443\n    tls: { auto: true, cert: c.pem, key: k.pem }\n",
        4, 18, "'auto: true' issues the certificate itself");
    add("sni certificate without hosts", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8443\n    tls: { certificates: [{ cert: a.pem, key: a-key.pem }] }\n",
        4, 27, "a certificate needs 'hosts'");
    add("sni certificate bad host", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8443\n    tls: { certificates: [{ hosts: [\"bad host\"], cert: a.pem, key: k.pem }] }\n",
        4, 37, "invalid host 'bad host'");
    add("redirect without a tls listener", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8080\n    redirect_https: true\n", 4, 21,
        "'redirect_https' needs a listener with 'tls'");
    add("redirect on a tls listener", "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:8443\n    tls: { auto: true }\n    redirect_https: true\n",
        5, 21, "'redirect_https' is for a plain HTTP listener");
    add("admin remote without tls", "gatehouse: 1\n" LISTEN "admin:\n  bind: 192.168.1.5:9901\n  token: env:TOKEN\n  allow_remote: true\n",
        4, 9, "'allow_remote: true' and 'tls'");

    // Secrets.
    add("literal secret", "gatehouse: 1\nadmin:\n  bind: 127.0.0.1:9901\n  token: hunter2\n", 4, 10, "secrets never go in a profile");
    add("bad env name", "gatehouse: 1\nadmin: { bind: 127.0.0.1:9901, token: env:1BAD }\n", 2, 39, "invalid environment variable name");
    add("admin without token", "gatehouse: 1\nadmin: { bind: 127.0.0.1:9901 }\n", 2, 8, "'admin' needs 'token'");

    // Services and access log.
    add("service kind", "gatehouse: 1\nservices:\n  - { name: s, kind: proxy, bind: 127.0.0.1:0 }\n", 3, 22, "unknown service kind 'proxy'");
    add("fail_rate above 1", "gatehouse: 1\nservices:\n  - { name: s, bind: 127.0.0.1:0, fail_rate: 2 }\n", 3, 46, "from 0 to 1");
    add("duplicate service", "gatehouse: 1\nservices:\n  - { name: s, bind: 127.0.0.1:0 }\n  - { name: s, bind: 127.0.0.1:0 }\n",
        4, 13, "duplicate service name 's' (first defined on line 3)");
    add("access_log without file", "gatehouse: 1\naccess_log: { keep: 3 }\n", 2, 13, "'access_log' needs 'file'");

    // Upstreams.
    add("upstream without targets", "gatehouse: 1\nupstreams:\n  - name: u\n", 3, 5, "an upstream needs 'targets'");
    add("target with path", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://127.0.0.1:8001/api }]\n", 4, 22,
        "must not have a path");
    add("target without port", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://127.0.0.1 }]\n", 4, 22, "needs a port");
    add("target scheme", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: ftp://h:21 }]\n", 4, 22, "http:// or https://");
    add("weight zero", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1, weight: 0 }]\n", 4, 42,
        "'weight' must be a whole number from 1 to 1000");
    add("unknown balance", "gatehouse: 1\nupstreams:\n  - name: u\n    balance: fastest\n    targets: [{ url: http://h:1 }]\n", 4, 14,
        "unknown balance 'fastest'; use one of: round_robin");
    add("consistent_hash without hash_on", "gatehouse: 1\nupstreams:\n  - name: u\n    balance: consistent_hash\n    targets: [{ url: http://h:1 }]\n",
        4, 14, "needs 'hash_on'");
    add("bad hash_on", "gatehouse: 1\nupstreams:\n  - name: u\n    balance: consistent_hash\n    hash_on: body\n    targets: [{ url: http://h:1 }]\n",
        5, 14, "invalid hash_on 'body'");
    add("hash_on without consistent_hash", "gatehouse: 1\nupstreams:\n  - name: u\n    hash_on: ip\n    targets: [{ url: http://h:1 }]\n",
        4, 5, "only applies to balance: consistent_hash");
    add("duplicate upstream", "gatehouse: 1\n" UPSTREAM "upstreams: []\n", 3, 1, "duplicate key 'upstreams'");
    add("duplicate upstream name", "gatehouse: 1\nupstreams:\n  - { name: u, targets: [{ url: http://h:1 }] }\n  - { name: u, targets: [{ url: http://h:2 }] }\n",
        4, 13, "duplicate upstream name 'u'");
    add("error_rate over 100%", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    circuit_breaker: { error_rate: 150% }\n",
        5, 36, "'error_rate' must be a percentage");
    add("expect_status reversed", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    health_check: { expect_status: 399-200 }\n",
        5, 36, "'expect_status' must be a status or a range LOW-HIGH within 100-599");
    add("expect_status not a status", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    health_check: { expect_status: 2xx }\n",
        5, 36, "not 2xx");
    add("expect_status beyond 599", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    health_check: { expect_status: 200-600 }\n",
        5, 36, "within 100-599");
    add("retry_budget percent 0", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    retry_budget: { percent: 0% }\n",
        5, 30, "'percent' must be a percentage above 0%");
    add("retry_budget negative rate", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    retry_budget: { min_per_second: -1 }\n",
        5, 37, "'min_per_second' must be a whole number from 0 to 100000");
    add("retry_budget short window", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    retry_budget: { window: 10ms }\n",
        5, 29, "'window' must be at least 100ms");
    add("retry_budget unknown key", "gatehouse: 1\nupstreams:\n  - name: u\n    targets: [{ url: http://h:1 }]\n    retry_budget: { ratio: 20% }\n",
        5, 21, "unknown key 'ratio' in 'retry_budget'");

    // Routes.
    add("unknown upstream", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: nope\n", 5, 15,
        "unknown upstream 'nope' (defined: u under 'upstreams')");
    add("neither upstream nor respond", "gatehouse: 1\nroutes:\n  - name: r\n    match: { path: /a }\n", 3, 5,
        "route 'r' needs 'upstream' or 'respond'");
    add("both upstream and respond", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    respond: { status: 204 }\n",
        6, 5, "either 'upstream' or 'respond', not both");
    add("two path kinds", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    match: { path: /a, path_exact: /b }\n",
        6, 24, "only one of path, path_exact and path_regex");
    add("invalid regex", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    match: { path_regex: \"^/(a\" }\n",
        6, 26, "invalid path_regex: missing closing parenthesis");
    add("path without slash", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    match: { path: api }\n",
        6, 20, "'path' must start with '/'");
    add("invalid method", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    match: { methods: [GET, \"GE T\"] }\n",
        6, 29, "invalid method 'GE T'");
    add("invalid host", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    match: { hosts: [\"shop*.test\"] }\n",
        6, 22, "invalid host 'shop*.test'");
    add("strip_prefix without slash", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    strip_prefix: api\n",
        6, 19, "'strip_prefix' must start with '/'");
    add("strip_prefix not a prefix", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    match: { path: /api/users }\n    strip_prefix: /api/u\n",
        7, 19, "strip_prefix /api/u is not a prefix of the route's path /api/users");
    add("status out of range", "gatehouse: 1\nroutes:\n  - name: r\n    respond: { status: 99 }\n", 4, 24,
        "'status' must be a whole number from 100 to 599");
    add("abort_status not an error", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    fault: { abort_status: 200, abort_percent: 5 }\n",
        6, 28, "from 400 to 599");
    add("canary percent over 100", "gatehouse: 1\nupstreams:\n  - { name: u, targets: [{ url: http://h:1 }] }\n  - { name: v, targets: [{ url: http://h:2 }] }\nroutes:\n  - name: r\n    upstream: u\n    canary: { upstream: v, percent: 101 }\n",
        8, 37, "'percent' must be a number from 0 to 100");
    add("canary unknown upstream", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    canary: { upstream: v2 }\n",
        6, 25, "unknown upstream 'v2'");
    add("unknown JWT profile", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    auth: users\n", 6, 11,
        "unknown JWT profile 'users' (none is defined under 'jwt')");
    add("unknown rate limit", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    rate_limit: [per-ip]\n", 6, 18,
        "unknown rate limit 'per-ip'");
    add("rate_limit is not a list", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    rate_limit: per-ip\n", 6, 17,
        "'rate_limit' must be a list");
    add("duplicate route name", "gatehouse: 1\n" UPSTREAM "routes:\n  - { name: r, upstream: u }\n  - { name: r, upstream: u }\n", 5, 13,
        "duplicate route name 'r'");
    add("invalid route name", "gatehouse: 1\n" UPSTREAM "routes:\n  - { name: \"my route\", upstream: u }\n", 4, 13, "invalid route name 'my route'");
    add("route without name", "gatehouse: 1\n" UPSTREAM "routes:\n  - { upstream: u }\n", 4, 5, "a route needs 'name'");
    add("require without auth", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    require: { role: admin }\n", 6, 5,
        "the route needs 'auth'");
    add("cors credentials with wildcard", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    cors: { origins: [\"*\"], credentials: true }\n",
        6, 42, "cannot be combined with origin");
    add("cors wildcard in the middle", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    cors: { origins: [\"https://app.*.test\"] }\n",
        6, 23, "invalid origin 'https://app.*.test'");
    add("cors wildcard path", "gatehouse: 1\n" UPSTREAM "routes:\n  - name: r\n    upstream: u\n    cors: { origins: [\"http://localhost:*/x\"] }\n",
        6, 23, "invalid origin");

    // JWT and rate limits.
    add("unsupported algorithm", "gatehouse: 1\njwt:\n  - { name: j, algorithms: [none], secret: env:S }\n", 3, 29,
        "unsupported algorithm 'none'");
    add("HS256 without secret", "gatehouse: 1\njwt:\n  - { name: j, algorithms: [HS256] }\n", 3, 28, "HS* algorithms need 'secret'");
    add("RS256 without key", "gatehouse: 1\njwt:\n  - { name: j, algorithms: [RS256] }\n", 3, 28, "need 'public_key' or 'jwks'");
    add("mixed algorithm kinds", "gatehouse: 1\njwt:\n  - { name: j, algorithms: [HS256, RS256], secret: env:S }\n", 3, 28,
        "do not mix HS*");
    add("literal JWT secret", "gatehouse: 1\njwt:\n  - { name: j, algorithms: [HS256], secret: s3cr3t }\n", 3, 45,
        "secrets never go in a profile");
    add("bad token source", "gatehouse: 1\njwt:\n  - { name: j, algorithms: [HS256], secret: env:S, token_from: [bearer] }\n", 3, 65,
        "invalid token source 'bearer'");
    add("requests zero", "gatehouse: 1\nrate_limits:\n  - { name: l, requests: 0 }\n", 3, 26, "'requests' must be a whole number from 1");
    add("requests missing", "gatehouse: 1\nrate_limits:\n  - { name: l, per: 1s }\n", 3, 5, "a rate limit needs 'requests'");
    add("bad rate limit key", "gatehouse: 1\nrate_limits:\n  - { name: l, requests: 1, key: user }\n", 3, 34, "invalid key 'user'");
    add("bad store", "gatehouse: 1\nrate_limits:\n  - { name: l, requests: 1, store: \"memcached://h:1\" }\n", 3, 36, "invalid store");
    add("redis with password", "gatehouse: 1\nrate_limits:\n  - { name: l, requests: 1, store: \"redis://:pw@h:6379\" }\n", 3, 36,
        "must not contain credentials");
    add("bad revocation store", "gatehouse: 1\njwt:\n  - { name: j, algorithms: [HS256], secret: env:S, revocation_store: \"mongodb://h:1\" }\n", 3, 70,
        "invalid store");
    add("bad fail", "gatehouse: 1\nrate_limits:\n  - { name: l, requests: 1, fail: maybe }\n", 3, 35, "invalid fail 'maybe'");
#undef LISTEN
#undef UPSTREAM
}

void TestProfileReader::badProfiles()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);

    const ReadResult result = readProfile(yaml, QStringLiteral("bad.yaml"), QStringLiteral("/base"));
    QVERIFY(!result.ok());
    QVERIFY(!result.problems.isEmpty());
    const bool found = std::any_of(result.problems.cbegin(), result.problems.cend(), [&](const Problem &p) {
        return p.line == line && p.column == column && p.message.contains(message) && p.file == u"bad.yaml";
    });
    QVERIFY2(found, qPrintable(QStringLiteral("expected %1:%2: ...%3...\ngot:\n%4")
                                   .arg(line).arg(column).arg(message, testdata::describeProblems(result.problems))));
}

void TestProfileReader::collectsAllProblems()
{
    const ReadResult result = readProfile("gatehouse: 1\n"
                                          "listen: [{ bind: 127.0.0.1:99999 }]\n"
                                          "limits: { idle_timeout: 60 }\n"
                                          "routes:\n"
                                          "  - { name: a, upstream: missing, colour: red }\n",
                                          QStringLiteral("p.yaml"), {});
    QVERIFY(!result.ok());
    QStringList got;
    for (const Problem &p : result.problems) {
        got.append(QStringLiteral("%1:%2").arg(p.line).arg(p.column));
    }
    QCOMPARE(got, (QStringList { QStringLiteral("2:18"), QStringLiteral("3:25"), QStringLiteral("5:26"),
                                 QStringLiteral("5:35") }));
}

void TestProfileReader::problemsAreOrderedAndNamed()
{
    const ReadResult result = readProfile("gatehouse: 1\nfoo: 1\nbar: 2\n", QStringLiteral("dir/x.yaml"), {});
    QCOMPARE(result.problems.size(), 2);
    QVERIFY(result.problems[0].toString().startsWith(QStringLiteral("dir/x.yaml:2:1: unknown key 'foo'")));
    QVERIFY(result.problems[1].toString().startsWith(QStringLiteral("dir/x.yaml:3:1: unknown key 'bar'")));
}

void TestProfileReader::garbageNeverThrows_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe\x01gatehouse: 1", 16);
    QTest::newRow("tabs") << QByteArray("gatehouse: 1\n\tlisten: []\n");
    QTest::newRow("deep nesting") << QByteArray(5000, '[');
    QTest::newRow("deep maps") << (QByteArray("gatehouse: 1\nname: ") + QByteArray(3000, '{'));
    QTest::newRow("anchors") << QByteArray("gatehouse: 1\nx: &a [*a]\n");
    QTest::newRow("cyclic alias") << QByteArray("gatehouse: 1\nroutes: &r [*r]\nupstreams: &m [{ name: *m }]\n");
    QTest::newRow("complex keys") << QByteArray("gatehouse: 1\n? [a, b]\n: c\n");
    QTest::newRow("null route") << QByteArray("gatehouse: 1\nroutes: [~, [], 5]\n");
    QTest::newRow("tagged") << QByteArray("gatehouse: !!str 1\nlisten: !!map {}\n");
    QTest::newRow("huge") << (QByteArray("gatehouse: 1\nname: ") + QByteArray(5 * 1024 * 1024, 'x'));
}

void TestProfileReader::garbageNeverThrows()
{
    QFETCH(QByteArray, yaml);
    const ReadResult result = readProfile(yaml, QStringLiteral("g.yaml"), {});
    QVERIFY(!result.ok());
    for (const Problem &p : result.problems) {
        QVERIFY(p.line >= 1);
        QVERIFY(p.column >= 1);
        QVERIFY(!p.message.isEmpty());
    }
}

void TestProfileReader::readFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("p.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("gatehouse: 1\n"
               "listen: [{ bind: 127.0.0.1:0, tls: { cert: ../certs/c.pem, key: k.pem } }]\n"
               "access_log: { file: logs/a.jsonl }\n"
               "admin: { bind: 127.0.0.1:0, token: file:secrets/admin.txt }\n"
               "routes: [{ name: r, respond: {} }]\n");
    file.close();
    const ReadResult result = readProfileFile(path);
    QVERIFY2(result.ok(), qPrintable(testdata::describeProblems(result.problems)));
    QCOMPARE(result.profile->filePath, QFileInfo(path).absoluteFilePath());
    QCOMPARE(result.profile->baseDir, QFileInfo(path).absolutePath());
    QCOMPARE(result.profile->listen[0].tls->cert, QStringLiteral("../certs/c.pem"));
    QCOMPARE(result.profile->accessLog->file, QStringLiteral("logs/a.jsonl"));
    QCOMPARE(result.profile->admin->token.name, QStringLiteral("secrets/admin.txt"));

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("gatehouse: 1\nlisten: {}\n");
    file.close();
    const ReadResult bad = readProfileFile(path);
    QCOMPARE(bad.problems.size(), 1);
    QCOMPARE(bad.problems[0].file, path);
    QCOMPARE(bad.problems[0].toString(), path + QStringLiteral(":2:9: 'listen' must be a list, not a map"));
}

void TestProfileReader::readMissingFile()
{
    const QString path = QStringLiteral("/nonexistent/gatehouse/profile.yaml");
    const ReadResult result = readProfileFile(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.problems.size(), 1);
    QCOMPARE(result.problems[0].file, path);
    QVERIFY(result.problems[0].toString().startsWith(path + QStringLiteral(": cannot open")));
}

QTEST_APPLESS_MAIN(TestProfileReader)
#include "TestProfileReader.moc"
