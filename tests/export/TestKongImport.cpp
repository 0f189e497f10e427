// `gatehouse import FILE --from kong` (SPEC §7.9), through the real binary: a Kong export of a
// profile comes back as the same profile in everything Kong carries, and passes `check`; decK
// files written after Kong's documented examples import as expected, with one "not mapped" line
// each, at its line:column; bad input is refused with exit 1 and writes nothing.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "engine/profile/ProfileReader.h"
#include "engine/profile/Values.h"
#include "tests/export/ExportTestProfiles.h"

using namespace gatehouse;
using PathKind = profile::RouteMatch::PathKind;

namespace {

QString sourceFile(const QString &relative)
{
    return qEnvironmentVariable("GATEHOUSE_SOURCE_DIR") + QLatin1Char('/') + relative;
}

QString fixture(const QString &name)
{
    return sourceFile(QStringLiteral("tests/export/fixtures/") + name);
}

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

Run runGatehouse(const QStringList &args)
{
    QProcess process;
    process.start(qEnvironmentVariable("GATEHOUSE_BINARY"), args);
    Run run;
    if (!process.waitForFinished(60'000) || process.exitStatus() != QProcess::NormalExit) {
        return run;
    }
    run.code = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QString ms(profile::Duration d)
{
    return QString::number(d.count());
}

QString pairs(const QList<QPair<QString, QString>> &list)
{
    QStringList out;
    for (const auto &[k, v] : list) {
        out.append(k + QLatin1Char('=') + v);
    }
    return out.join(QLatin1Char(','));
}

// What a Kong export carries of a profile, one line per entry, in a stable order: the fields of
// upstreams, targets, routes, limits, CORS, `respond` and JWT keys (docs/export.md's Kong table).
QStringList kongView(const profile::Profile &p)
{
    QStringList lines;
    for (const profile::Upstream &u : p.upstreams) {
        // Kong has no random balancer: the export writes round-robin.
        const profile::Balance balance
            = u.balance == profile::Balance::Random ? profile::Balance::RoundRobin : u.balance;
        QStringList targets;
        for (const profile::Target &t : u.targets) {
            targets.append(QStringLiteral("%1*%2").arg(t.url).arg(t.weight));
        }
        QString line = QStringLiteral("upstream %1 %2 %3 [%4] connect=%5")
                           .arg(u.name, profile::balanceName(balance), u.hashOn,
                               targets.join(QLatin1Char(',')), ms(u.connectTimeout));
        if (u.healthCheck) {
            const profile::HealthCheck &h = *u.healthCheck;
            line += QStringLiteral(" health=%1,%2,%3,%4,%5,%6-%7")
                        .arg(h.path, ms(h.interval), ms(h.timeout))
                        .arg(h.healthyAfter)
                        .arg(h.unhealthyAfter)
                        .arg(h.expectStatusMin)
                        .arg(h.expectStatusMax);
        }
        if (u.outlier) {
            line += QStringLiteral(" outlier=%1").arg(u.outlier->consecutiveFailures);
        }
        lines.append(line);
    }
    std::sort(lines.begin(), lines.end());
    QStringList routes;
    QStringList regexOrder;
    for (const profile::Route &r : p.routes) {
        if (!r.enabled) {
            continue;
        }
        QString path = r.match.path;
        if (r.match.pathKind == PathKind::Prefix) {
            while (path.size() > 1 && path.endsWith(QLatin1Char('/'))) {
                path.chop(1);
            }
        } else if (r.match.pathKind == PathKind::Regex) {
            regexOrder.append(r.name);
        }
        QString line
            = QStringLiteral("route %1 %2:%3 methods=%4 hosts=%5 headers=%6 auth=%7")
                  .arg(r.name)
                  .arg(int(r.match.pathKind))
                  .arg(path, r.match.methods.join(QLatin1Char(',')),
                      r.match.hosts.join(QLatin1Char(',')), pairs(r.match.headers), r.auth);
        if (r.respond) {
            QString contentType = QStringLiteral("application/json");
            for (const auto &[name, value] : r.respond->headers) {
                if (name.compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0) {
                    contentType = value;
                }
            }
            line += QStringLiteral(" respond=%1,%2,%3")
                        .arg(r.respond->status)
                        .arg(contentType, QString::fromUtf8(r.respond->body));
        } else {
            // strip_prefix on a regex route is not exported.
            line += QStringLiteral(" upstream=%1 strip=%2 timeout=%3 retries=%4")
                        .arg(r.upstream,
                            r.match.pathKind == PathKind::Regex ? QString() : r.stripPrefix,
                            ms(r.timeout))
                        .arg(r.retries);
        }
        // Kong takes one rate-limiting plugin per route, and none for global limits; burst and
        // the profile's names are not carried.
        for (const QString &name : r.rateLimit) {
            const auto limit = std::find_if(p.rateLimits.cbegin(), p.rateLimits.cend(),
                [&](const profile::RateLimitProfile &l) { return l.name == name; });
            if (limit != p.rateLimits.cend() && limit->key != QLatin1String("global")) {
                line += QStringLiteral(" limit=%1/%2,%3,%4,%5")
                            .arg(limit->requests)
                            .arg(ms(limit->per), limit->key, limit->store)
                            .arg(limit->failClosed);
                break;
            }
        }
        if (r.cors) {
            const profile::Cors &c = *r.cors;
            line += QStringLiteral(" cors=%1;%2;%3;%4;%5")
                        .arg(c.origins.join(QLatin1Char(',')),
                            (c.methods.isEmpty() ? r.match.methods : c.methods)
                                .join(QLatin1Char(',')),
                            c.headers.join(QLatin1Char(',')))
                        .arg(c.credentials)
                        .arg(ms(c.maxAge));
        }
        routes.append(line);
    }
    std::sort(routes.begin(), routes.end());
    lines += routes;
    lines.append(QStringLiteral("regex order: ") + regexOrder.join(QLatin1Char(',')));
    for (const profile::JwtProfile &j : p.jwt) {
        // Only a profile with a key becomes a consumer's jwt_secret.
        if (j.secret.isSet() || j.publicKey.isSet()) {
            lines.append(QStringLiteral("jwt %1 %2 %3 %4 %5 %6")
                             .arg(j.name, j.algorithms.value(0), profile::formatSecretRef(j.secret),
                                 profile::formatSecretRef(j.publicKey), j.issuer,
                                 j.tokenFrom.join(QLatin1Char(','))));
        }
    }
    return lines;
}

QStringList lines(const QByteArray &text)
{
    QStringList out = QString::fromUtf8(text).split(QLatin1Char('\n'));
    out.removeAll(QString());
    return out;
}

profile::Profile readYaml(const QByteArray &yaml)
{
    const profile::ReadResult read
        = profile::readProfile(yaml, QStringLiteral("stdout"), QDir::tempPath());
    for (const profile::Problem &problem : read.problems) {
        qWarning("%s", qPrintable(problem.toString()));
    }
    return read.profile.value_or(profile::Profile {});
}

const profile::Route *routeNamed(const profile::Profile &p, const QString &name)
{
    for (const profile::Route &r : p.routes) {
        if (r.name == name) {
            return &r;
        }
    }
    return nullptr;
}

} // namespace

class TestKongImport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void notMappedLines_data();
    void notMappedLines();
    void servicesAndRoutes();
    void upstreamsAndHealthChecks();
    void plugins();
    void secretsStayOut();
    void badInput_data();
    void badInput();
};

void TestKongImport::roundTrip_data()
{
    QTest::addColumn<QString>("source");
    QTest::newRow("shop") << QStringLiteral("shop");
    QTest::newRow("every-key") << QStringLiteral("every-key");
}

void TestKongImport::roundTrip()
{
    QFETCH(QString, source);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString original = sourceFile(QStringLiteral("profiles/examples/shop.yaml"));
    if (source == QLatin1String("every-key")) {
        QMap<QString, quint16> ports;
        quint16 next = 18101;
        for (const char *name : { "listen", "listen_tls", "alpha-1", "alpha-2", "beta-1", "gamma-1",
                 "gamma-2", "delta-1", "epsilon-1" }) {
            ports.insert(QString::fromLatin1(name), next++);
        }
        original = dir.filePath(QStringLiteral("every-key.yaml"));
        QFile file(original);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            test::everyKeyProfile(ports, QStringLiteral("cert.pem"), QStringLiteral("key.pem")));
    }
    const QString kong = dir.filePath(QStringLiteral("kong.yaml"));
    const QString imported = dir.filePath(QStringLiteral("imported.yaml"));
    const Run exported = runGatehouse({ QStringLiteral("export"), original,
        QStringLiteral("--format"), QStringLiteral("kong"), QStringLiteral("-o"), kong });
    QCOMPARE(exported.code, 0);
    const Run import = runGatehouse({ QStringLiteral("import"), kong, QStringLiteral("--from"),
        QStringLiteral("kong"), QStringLiteral("-o"), imported });
    QVERIFY2(import.code == 0, import.err.constData());
    const Run check = runGatehouse({ QStringLiteral("check"), imported });
    QVERIFY2(check.code == 0, check.out.constData());
    QCOMPARE(check.out, QByteArray("ok\n"));

    const profile::ReadResult before = profile::readProfileFile(original);
    const profile::ReadResult after = profile::readProfileFile(imported);
    QVERIFY(before.ok());
    QVERIFY(after.ok());
    QCOMPARE(kongView(*after.profile), kongView(*before.profile));
    // The import writes the canonical form: written again, the same bytes.
    QFile file(imported);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const Run canonical = runGatehouse(
        { QStringLiteral("export"), imported, QStringLiteral("--format"), QStringLiteral("yaml") });
    QCOMPARE(canonical.out, file.readAll());
}

void TestKongImport::notMappedLines_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("services")
        << QStringLiteral("services.yaml")
        << QStringList {
               QStringLiteral(":5:10: not mapped: route by-id: service path /anything put in front "
                              "of the upstream path"),
               QStringLiteral(":23:11: not mapped: route users: header x-region matching eu, us"),
               QStringLiteral(":25:24: not mapped: route users: preserve_host"),
               QStringLiteral(":27:13: not mapped: route users: plugin acl"),
               QStringLiteral(
                   ":30:13: not mapped: route users: plugin key-auth (profiles have no API keys)"),
               QStringLiteral(":34:5: not mapped: consumer alice (no jwt_secrets; consumers are "
                              "not profiles)"),
               QStringLiteral(":35:5: not mapped: consumer alice: keyauth_credentials"),
           };
    QTest::newRow("upstreams")
        << QStringLiteral("upstreams.yaml")
        << QStringList {
               QStringLiteral(":26:26: not mapped: upstream orders.upstream: healthchecks: healthy "
                              "http_statuses as listed (taken as the range 200-302)"),
               QStringLiteral(":44:20: not mapped: upstream carts.upstream: hash_fallback ip"),
           };
    QTest::newRow("plugins") << QStringLiteral("plugins.yaml")
                             << QStringList {
                                    QStringLiteral(":12:17: not mapped: route api: rate-limiting: "
                                                   "a second window (hour: 10000); one per limit"),
                                    QStringLiteral(
                                        ":32:32: not mapped: route api: cors: exposed_headers"),
                                    QStringLiteral(":50:5: not mapped: plugin prometheus"),
                                };
}

void TestKongImport::notMappedLines()
{
    QFETCH(QString, file);
    QFETCH(QStringList, expected);
    const Run run = runGatehouse({ QStringLiteral("import"), fixture(file),
        QStringLiteral("--from"), QStringLiteral("kong") });
    QVERIFY2(run.code == 0, run.err.constData());
    for (QString &line : expected) {
        line.prepend(fixture(file));
    }
    QCOMPARE(lines(run.err), expected);
}

void TestKongImport::servicesAndRoutes()
{
    const Run run
        = runGatehouse({ QStringLiteral("import"), fixture(QStringLiteral("services.yaml")),
            QStringLiteral("--from"), QStringLiteral("kong") });
    QCOMPARE(run.code, 0);
    const profile::Profile p = readYaml(run.out);
    QCOMPARE(p.routes.size(), 2);
    // regex_priority 10 first: the regex route is tried in that order.
    QCOMPARE(p.routes.at(0).name, QStringLiteral("by-id"));
    QCOMPARE(p.routes.at(0).match.pathKind, PathKind::Regex);
    QCOMPARE(p.routes.at(0).match.path, QStringLiteral("^/users/\\d+$"));
    QCOMPARE(p.routes.at(0).match.methods, QStringList { QStringLiteral("GET") });
    QVERIFY(p.routes.at(0).stripPrefix.isEmpty()); // strip_path: false
    const profile::Route *users = routeNamed(p, QStringLiteral("users"));
    QVERIFY(users);
    QCOMPARE(users->match.pathKind, PathKind::Prefix);
    QCOMPARE(users->match.path, QStringLiteral("/users/anything"));
    QCOMPARE(users->match.hosts,
        (QStringList { QStringLiteral("example.test"), QStringLiteral("*.example.test") }));
    QCOMPARE(users->match.headers.size(), 1);
    QCOMPARE(users->match.headers.first().second, QStringLiteral("v1"));
    // Kong strips /users/anything and puts the service path /anything in front: strip /users.
    QCOMPARE(users->stripPrefix, QStringLiteral("/users"));
    QCOMPARE(users->upstream, QStringLiteral("example-service"));
    QCOMPARE(users->timeout, profile::Duration(10'000));
    QCOMPARE(users->retries, 3);
    QCOMPARE(p.upstreams.size(), 1);
    QCOMPARE(p.upstreams.first().targets.first().url,
        QStringLiteral("http://httpbin.example.test:8080"));
    QCOMPARE(p.upstreams.first().connectTimeout, profile::Duration(5'000));
}

void TestKongImport::upstreamsAndHealthChecks()
{
    const Run run
        = runGatehouse({ QStringLiteral("import"), fixture(QStringLiteral("upstreams.yaml")),
            QStringLiteral("--from"), QStringLiteral("kong") });
    QCOMPARE(run.code, 0);
    const profile::Profile p = readYaml(run.out);
    QCOMPARE(p.upstreams.size(), 2);
    const profile::Upstream &orders = p.upstreams.at(0);
    QCOMPARE(orders.name, QStringLiteral("orders.upstream"));
    QCOMPARE(orders.balance, profile::Balance::RoundRobin);
    QCOMPARE(orders.targets.size(), 2);
    QCOMPARE(orders.targets.at(0).weight, 3); // 300:100
    QCOMPARE(orders.targets.at(1).weight, 1);
    QVERIFY(orders.healthCheck);
    QCOMPARE(orders.healthCheck->path, QStringLiteral("/status"));
    QCOMPARE(orders.healthCheck->interval, profile::Duration(5'000));
    QCOMPARE(orders.healthCheck->timeout, profile::Duration(2'000));
    QCOMPARE(orders.healthCheck->healthyAfter, 3);
    QCOMPARE(orders.healthCheck->unhealthyAfter, 4);
    QCOMPARE(orders.healthCheck->expectStatusMin, 200);
    QCOMPARE(orders.healthCheck->expectStatusMax, 302);
    QVERIFY(orders.outlier);
    QCOMPARE(orders.outlier->consecutiveFailures, 6);
    const profile::Upstream &carts = p.upstreams.at(1);
    QCOMPARE(carts.balance, profile::Balance::ConsistentHash);
    QCOMPARE(carts.hashOn, QStringLiteral("header:X-Cart-ID"));
    QCOMPARE(
        carts.targets.first().url, QStringLiteral("http://10.0.0.21:8000")); // Kong's default port
    QVERIFY(!carts.healthCheck);
    QCOMPARE(routeNamed(p, QStringLiteral("orders"))->upstream, QStringLiteral("orders.upstream"));
    QCOMPARE(routeNamed(p, QStringLiteral("carts"))->upstream, QStringLiteral("carts.upstream"));
    // Kong's defaults where the service says nothing: 60 s and 5 retries.
    QCOMPARE(routeNamed(p, QStringLiteral("carts"))->timeout, profile::Duration(60'000));
    QCOMPARE(routeNamed(p, QStringLiteral("carts"))->retries, 5);
}

void TestKongImport::plugins()
{
    const Run run
        = runGatehouse({ QStringLiteral("import"), fixture(QStringLiteral("plugins.yaml")),
            QStringLiteral("--from"), QStringLiteral("kong") });
    QCOMPARE(run.code, 0);
    const profile::Profile p = readYaml(run.out);
    const profile::Route *api = routeNamed(p, QStringLiteral("api"));
    QVERIFY(api);
    QCOMPARE(api->auth, QStringLiteral("web"));
    QCOMPARE(api->rateLimit.size(), 1);
    QCOMPARE(p.rateLimits.size(), 1);
    const profile::RateLimitProfile &limit = p.rateLimits.first();
    QCOMPARE(limit.requests, 5);
    QCOMPARE(limit.per, profile::Duration(60'000));
    QCOMPARE(limit.key, QStringLiteral("ip"));
    QCOMPARE(limit.store, QStringLiteral("redis://redis.internal:6380/2"));
    QVERIFY(limit.failClosed);
    QVERIFY(api->cors);
    QCOMPARE(api->cors->origins,
        (QStringList {
            QStringLiteral("http://localhost:3000"), QStringLiteral("https://app.example.test") }));
    QCOMPARE(api->cors->headers, QStringList { QStringLiteral("Authorization") });
    QVERIFY(api->cors->credentials);
    QCOMPARE(api->cors->maxAge, profile::Duration(3'600'000));
    QCOMPARE(p.jwt.size(), 1);
    QCOMPARE(p.jwt.first().secret.kind, profile::SecretRef::Kind::Env);
    QCOMPARE(p.jwt.first().secret.name, QStringLiteral("WEB_JWT_SECRET"));
    QCOMPARE(p.jwt.first().issuer, QStringLiteral("https://auth.example.test"));
    // Kong's jwt defaults: the Authorization header and the jwt query parameter.
    QCOMPARE(p.jwt.first().tokenFrom,
        (QStringList { QStringLiteral("header:Authorization"), QStringLiteral("query:jwt") }));
    const profile::Route *maintenance = routeNamed(p, QStringLiteral("maintenance"));
    QVERIFY(maintenance);
    QCOMPARE(maintenance->match.pathKind, PathKind::Exact);
    QCOMPARE(maintenance->match.path, QStringLiteral("/maintenance"));
    QVERIFY(maintenance->respond);
    QCOMPARE(maintenance->respond->status, 503);
    QCOMPARE(maintenance->respond->body, QByteArray(R"({"message":"down for maintenance"})"));
    QVERIFY(!run.out.contains("{vault"));
}

// A decK dump may hold a secret's value; a profile only ever refers to one.
void TestKongImport::secretsStayOut()
{
    const Run run
        = runGatehouse({ QStringLiteral("import"), fixture(QStringLiteral("literal-secret.yaml")),
            QStringLiteral("--from"), QStringLiteral("kong") });
    QVERIFY2(run.code == 0, run.err.constData());
    QVERIFY(!run.out.contains("this-is-a-literal-secret"));
    QVERIFY(!run.err.contains("this-is-a-literal-secret"));
    QCOMPARE(lines(run.err),
        QStringList { fixture(QStringLiteral("literal-secret.yaml"))
            + QStringLiteral(":16:17: not mapped: consumer mobile-app: a key that is not a "
                             "{vault://env/...} reference (the profile refers to "
                             "env:MOBILE_APP_JWT_SECRET instead)") });
    const profile::Profile p = readYaml(run.out);
    QCOMPARE(p.jwt.size(), 1);
    QCOMPARE(profile::formatSecretRef(p.jwt.first().secret),
        QStringLiteral("env:MOBILE_APP_JWT_SECRET"));
    QCOMPARE(p.jwt.first().algorithms, QStringList { QStringLiteral("HS512") });
    QCOMPARE(routeNamed(p, QStringLiteral("billing"))->auth, QStringLiteral("mobile-app"));
    // Nor a key-auth credential.
    const Run keys
        = runGatehouse({ QStringLiteral("import"), fixture(QStringLiteral("services.yaml")),
            QStringLiteral("--from"), QStringLiteral("kong") });
    QVERIFY(!keys.out.contains("not-a-real-key"));
    QVERIFY(!keys.err.contains("not-a-real-key"));
}

void TestKongImport::badInput_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("not YAML") << QStringLiteral("not-yaml.yaml")
                              << QStringLiteral(":3:1: not valid YAML: end of map flow not found");
    QTest::newRow("wrong _format_version")
        << QStringLiteral("wrong-version.yaml")
        << QStringLiteral(":1:18: _format_version is 1.1; only decK \"3.0\" is read");
    QTest::newRow("route without paths")
        << QStringLiteral("route-without-paths.yaml")
        << QStringLiteral(":6:9: route by-host has no paths (a profile route matches a path)");
    QTest::newRow("services not a list") << QStringLiteral("services-not-a-list.yaml")
                                         << QStringLiteral(":3:3: 'services' must be a list");
    // Valid decK, invalid profile: the reason comes from the profile's own validation.
    QTest::newRow("invalid profile")
        << QStringLiteral("invalid-profile.yaml")
        << QStringLiteral("the imported profile is not valid: <imported profile>:");
    QTest::newRow("missing file") << QStringLiteral("no-such-file.yaml")
                                  << QStringLiteral("import: cannot read");
}

void TestKongImport::badInput()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("out.yaml"));
    const Run run = runGatehouse({ QStringLiteral("import"), fixture(file),
        QStringLiteral("--from"), QStringLiteral("kong"), QStringLiteral("-o"), out });
    QCOMPARE(run.code, 1);
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
    QVERIFY(run.out.isEmpty());
    QVERIFY(!QFile::exists(out));
}

QTEST_GUILESS_MAIN(TestKongImport)
#include "TestKongImport.moc"
