// `gatehouse export --format kong` (SPEC §7.9), in process: the decK output read back with
// yaml-cpp, its structure and values checked against the profile: routes in the gateway's
// precedence as regex_priority, segment-aware paths, strip_path with the service path, upstream
// algorithms and health checks, plugins, and secrets as vault references, never values.

#include <yaml-cpp/yaml.h>

#include <QTest>

#include "engine/export/KongExport.h"
#include "engine/profile/ProfileReader.h"
#include "tests/export/ExportTestProfiles.h"

using namespace gatehouse;

namespace {

QString sourceFile(const QString &relative)
{
    return qEnvironmentVariable("GATEHOUSE_SOURCE_DIR") + QLatin1Char('/') + relative;
}

profile::Profile everyKey()
{
    QMap<QString, quint16> ports;
    quint16 next = 18001;
    for (const char *name : { "listen", "listen_tls", "alpha-1", "alpha-2", "beta-1", "gamma-1",
             "gamma-2", "delta-1", "epsilon-1" }) {
        ports.insert(QString::fromLatin1(name), next++);
    }
    const auto read = profile::readProfile(
        test::everyKeyProfile(ports, QStringLiteral("cert.pem"), QStringLiteral("key.pem")),
        QStringLiteral("every-key.yaml"), QStringLiteral("/tmp"));
    for (const auto &problem : read.problems) {
        qWarning("%s", qPrintable(problem.toString()));
    }
    return read.profile.value_or(profile::Profile {});
}

YAML::Node parse(const QByteArray &text)
{
    try {
        return YAML::Load(text.toStdString());
    } catch (const YAML::Exception &e) {
        qWarning("not YAML: %s", e.what());
        return {};
    }
}

// The route named `name`, under its service or at the top level (routes that answer alone).
YAML::Node routeNamed(
    const YAML::Node &root, const std::string &name, YAML::Node *service = nullptr)
{
    for (const YAML::Node &s : root["services"]) {
        for (const YAML::Node &r : s["routes"]) {
            if (r["name"].as<std::string>() == name) {
                if (service) {
                    *service = s;
                }
                return r;
            }
        }
    }
    for (const YAML::Node &r : root["routes"]) {
        if (r["name"].as<std::string>() == name) {
            return r;
        }
    }
    return {};
}

YAML::Node pluginNamed(const YAML::Node &route, const std::string &name)
{
    for (const YAML::Node &p : route["plugins"]) {
        if (p["name"].as<std::string>() == name) {
            return p;
        }
    }
    return {};
}

YAML::Node upstreamNamed(const YAML::Node &root, const std::string &name)
{
    for (const YAML::Node &u : root["upstreams"]) {
        if (u["name"].as<std::string>() == name) {
            return u;
        }
    }
    return {};
}

QStringList strings(const YAML::Node &list)
{
    QStringList out;
    for (const YAML::Node &n : list) {
        out.append(QString::fromStdString(n.as<std::string>()));
    }
    return out;
}

} // namespace

class TestKongExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatVersionIsAString()
    {
        const auto result = exporter::exportKong(everyKey());
        QVERIFY(result.text.contains("_format_version: \"3.0\""));
        const YAML::Node root = parse(result.text);
        QCOMPARE(root["_format_version"].as<std::string>(), std::string("3.0"));
        QCOMPARE(root["_format_version"].Tag(), std::string("!"));
    }

    // regex_priority carries the gateway's precedence: exact, longer prefixes, more conditions
    // among equal paths, then regexes in file order. A disabled route is not exported.
    void routesInPrecedence()
    {
        const YAML::Node root = parse(exporter::exportKong(everyKey()).text);
        const char *expected[] = { "status", "api-deep", "tenant-blue", "tenant-any", "api",
            "api-admin-host", "reports", "r-post" };
        int previous = 1 << 20;
        for (const char *name : expected) {
            const YAML::Node route = routeNamed(root, name);
            QVERIFY2(route.IsMap(), name);
            const int priority = route["regex_priority"].as<int>();
            QVERIFY2(priority < previous, name);
            previous = priority;
        }
        QVERIFY(!routeNamed(root, "switched-off").IsMap());
        QCOMPARE(root["services"].size(),
            std::size_t(7)); // one per proxied route; `status` answers alone
    }

    void pathsMethodsHostsHeaders()
    {
        const YAML::Node root = parse(exporter::exportKong(everyKey()).text);
        // Segment-aware prefix: the path itself, and below it; never "/apix".
        QCOMPARE(strings(routeNamed(root, "api")["paths"]),
            (QStringList { QStringLiteral("~/api$"), QStringLiteral("/api/") }));
        QCOMPARE(strings(routeNamed(root, "status")["paths"]),
            QStringList { QStringLiteral("~/status$") });
        QCOMPARE(strings(routeNamed(root, "tenant-any")["paths"]),
            (QStringList { QStringLiteral("~/tenant$"), QStringLiteral("/tenant/") }));
        QCOMPARE(strings(routeNamed(root, "reports")["paths"]),
            QStringList { QStringLiteral("~/reports/[0-9]+$") });
        QCOMPARE(strings(routeNamed(root, "api")["methods"]),
            (QStringList { QStringLiteral("GET"), QStringLiteral("POST") }));
        QCOMPARE(strings(routeNamed(root, "api-admin-host")["hosts"]),
            (QStringList { QStringLiteral("admin.test"), QStringLiteral("*.admin.test") }));
        QCOMPARE(strings(routeNamed(root, "tenant-blue")["headers"]["X-Tenant"]),
            QStringList { QStringLiteral("blue") });
    }

    // strip_prefix shorter than the path: Kong strips the whole match, the service path puts
    // back what the gateway keeps ("/api/v2" of "/api/v2/items" leaves "/items").
    void stripPrefixAndServices()
    {
        const YAML::Node root = parse(exporter::exportKong(everyKey()).text);
        YAML::Node service;
        const YAML::Node deep = routeNamed(root, "api-deep", &service);
        QCOMPARE(deep["strip_path"].as<bool>(), true);
        QCOMPARE(deep["path_handling"].as<std::string>(), std::string("v0"));
        QCOMPARE(service["path"].as<std::string>(), std::string("/items"));
        QCOMPARE(service["host"].as<std::string>(), std::string("gamma"));
        const YAML::Node api = routeNamed(root, "api", &service);
        QCOMPARE(api["strip_path"].as<bool>(), true);
        QVERIFY(!service["path"]);
        QCOMPARE(service["read_timeout"].as<int>(), 3000);
        QCOMPARE(service["connect_timeout"].as<int>(), 2000);
        QCOMPARE(service["retries"].as<int>(), 1);
        routeNamed(root, "reports", &service);
        QCOMPARE(routeNamed(root, "reports")["strip_path"].as<bool>(), false);
        QCOMPARE(service["retries"].as<int>(), 0); // Kong's default is 5: always written
    }

    void upstreamsAndTargets()
    {
        const YAML::Node root = parse(exporter::exportKong(everyKey()).text);
        QCOMPARE(upstreamNamed(root, "alpha")["algorithm"].as<std::string>(),
            std::string("round-robin"));
        QCOMPARE(upstreamNamed(root, "beta")["algorithm"].as<std::string>(),
            std::string("least-connections"));
        const YAML::Node gamma = upstreamNamed(root, "gamma");
        QCOMPARE(gamma["algorithm"].as<std::string>(), std::string("consistent-hashing"));
        QCOMPARE(gamma["hash_on"].as<std::string>(), std::string("header"));
        QCOMPARE(gamma["hash_on_header"].as<std::string>(), std::string("X-User"));
        QCOMPARE(upstreamNamed(root, "delta")["hash_on"].as<std::string>(), std::string("ip"));
        QCOMPARE(upstreamNamed(root, "epsilon")["algorithm"].as<std::string>(),
            std::string("round-robin"));
        const YAML::Node alpha = upstreamNamed(root, "alpha");
        QCOMPARE(alpha["targets"][0]["target"].as<std::string>(), std::string("127.0.0.1:18003"));
        QCOMPARE(alpha["targets"][0]["weight"].as<int>(), 3);
        QCOMPARE(alpha["targets"][1]["weight"].as<int>(), 1);
        const YAML::Node passive = alpha["healthchecks"]["passive"]["unhealthy"];
        QCOMPARE(passive["http_failures"].as<int>(), 3);
        QCOMPARE(passive["tcp_failures"].as<int>(), 3);
    }

    void shopActiveHealthChecksAndLatency()
    {
        const auto read
            = profile::readProfileFile(sourceFile(QStringLiteral("profiles/examples/shop.yaml")));
        QVERIFY(read.ok());
        const YAML::Node root = parse(exporter::exportKong(*read.profile).text);
        const YAML::Node active = upstreamNamed(root, "users")["healthchecks"]["active"];
        QCOMPARE(active["http_path"].as<std::string>(), std::string("/health"));
        QCOMPARE(active["healthy"]["interval"].as<double>(), 5.0);
        QCOMPARE(active["healthy"]["successes"].as<int>(), 2);
        QCOMPARE(active["unhealthy"]["http_failures"].as<int>(), 3);
        QCOMPARE(active["timeout"].as<double>(), 1.0);
        QCOMPARE(
            upstreamNamed(root, "orders")["algorithm"].as<std::string>(), std::string("latency"));
        // JWT: the plugin on the route, the key on a consumer as a vault reference.
        const YAML::Node jwt = pluginNamed(routeNamed(root, "users"), "jwt");
        QVERIFY(jwt);
        QCOMPARE(
            strings(jwt["config"]["cookie_names"]), QStringList { QStringLiteral("access_token") });
        const YAML::Node consumer = root["consumers"][0];
        QCOMPARE(consumer["username"].as<std::string>(), std::string("user-jwt"));
        QCOMPARE(consumer["jwt_secrets"][0]["secret"].as<std::string>(),
            std::string("{vault://env/SHOP_JWT_SECRET}"));
        QCOMPARE(consumer["jwt_secrets"][0]["key"].as<std::string>(),
            std::string("https://auth.shop.test"));
    }

    void plugins()
    {
        const YAML::Node root = parse(exporter::exportKong(everyKey()).text);
        const YAML::Node api = routeNamed(root, "api");
        const YAML::Node limit = pluginNamed(api, "rate-limiting")["config"];
        QCOMPARE(limit["second"].as<int>(), 1000);
        QCOMPARE(limit["limit_by"].as<std::string>(), std::string("ip"));
        QCOMPARE(limit["policy"].as<std::string>(), std::string("local"));
        const YAML::Node tenant
            = pluginNamed(routeNamed(root, "tenant-blue"), "rate-limiting")["config"];
        QCOMPARE(tenant["minute"].as<int>(), 600);
        QCOMPARE(tenant["limit_by"].as<std::string>(), std::string("header"));
        QCOMPARE(tenant["header_name"].as<std::string>(), std::string("X-Tenant"));
        const YAML::Node cors = pluginNamed(api, "cors")["config"];
        QCOMPARE(strings(cors["origins"]).value(0), QStringLiteral("http://localhost:3000"));
        QCOMPARE(strings(cors["origins"]).value(1),
            QStringLiteral("https://[A-Za-z0-9.-]+\\.example\\.test"));
        QCOMPARE(cors["credentials"].as<bool>(), true);
        QCOMPARE(cors["max_age"].as<int>(), 300);
        QCOMPARE(strings(cors["headers"]), QStringList { QStringLiteral("X-Token") });
        const YAML::Node termination
            = pluginNamed(routeNamed(root, "status"), "request-termination")["config"];
        QCOMPARE(termination["status_code"].as<int>(), 203);
        QCOMPARE(termination["content_type"].as<std::string>(), std::string("text/plain"));
        QCOMPARE(termination["body"].as<std::string>(), std::string("up $1 \"quoted\""));
    }

    void redisLimitsAndUnexportable()
    {
        profile::Profile p = everyKey();
        p.rateLimits[0].store = QStringLiteral("redis://127.0.0.1:6380/2");
        p.routes[1].canary = profile::Canary { QStringLiteral("beta"), 10, {}, {} };
        const auto result = exporter::exportKong(p);
        const YAML::Node root = parse(result.text);
        const YAML::Node limit = pluginNamed(routeNamed(root, "api"), "rate-limiting")["config"];
        QCOMPARE(limit["policy"].as<std::string>(), std::string("redis"));
        QCOMPARE(limit["redis_port"].as<int>(), 6380);
        QCOMPARE(limit["redis_database"].as<int>(), 2);
        // Each feature Kong cannot express: a comment in place and one warning.
        QVERIFY(result.text.contains("# not exported: route api: canary to beta"));
        QCOMPARE(result.warnings.filter(QStringLiteral("canary")).size(), 1);
        QCOMPARE(result.warnings.filter(QStringLiteral("balance random")).size(), 1);
        QVERIFY(result.text.contains("# not exported: upstream epsilon: balance random"));
    }

    // Whatever the references resolve to never reaches the output, only the references do.
    void secretsAreReferencesNeverValues()
    {
        qputenv("SHOP_JWT_SECRET", "this-value-must-never-be-exported-0123456789");
        const auto read
            = profile::readProfileFile(sourceFile(QStringLiteral("profiles/examples/shop.yaml")));
        QVERIFY(read.ok());
        profile::Profile p = *read.profile;
        p.jwt[1].publicKey = profile::SecretRef { profile::SecretRef::Kind::File,
            QStringLiteral("keys/partner-pub.pem") };
        p.jwt[1].jwks.clear();
        const QByteArray text = exporter::exportKong(p).text;
        qunsetenv("SHOP_JWT_SECRET");
        QVERIFY(!text.contains("this-value-must-never-be-exported"));
        QVERIFY(!text.contains("keychain:"));
        QVERIFY(!text.contains("env:SHOP"));
        QVERIFY(!text.contains("partner-dev-signing-key")); // private keys: not even a reference
        const YAML::Node root = parse(text);
        QCOMPARE(root["consumers"][1]["jwt_secrets"][0]["rsa_public_key"].as<std::string>(),
            std::string("{vault://env/PARTNER_PUB_PEM}"));
        QVERIFY(!text.contains("gatehouse-admin"));
    }
};

QTEST_GUILESS_MAIN(TestKongExport)
#include "TestKongExport.moc"
