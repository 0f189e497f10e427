// `gatehouse export --format nginx` (SPEC §7.9) against Debian's nginx: the export of
// profiles/examples/shop.yaml and of a profile using every exportable key passes `nginx -t`; then
// nginx runs it in front of the same `gatehouse echo` upstreams as `gatehouse serve` runs the
// profile, and a table of requests (exact, segment-aware prefix, regex, methods and 405, hosts,
// headers, strip_prefix, respond, 404) gets the same status, upstream and upstream path from both.
//
// What nginx OSS cannot do (JWT, canaries, fault injection, consumer limits) is not exported, so
// the gateway runs the profile without those: both then answer the same requests.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"
#include "tests/export/ExportTestProfiles.h"
#include "tests/export/NginxTestSupport.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse;
using namespace gatehouse::test;

using namespace gatehouse::test::nginxexport;

class TestNginxExport : public QObject
{
    Q_OBJECT

private:
    // Exports `p` through the binary, checks it with `nginx -t`, runs nginx and `gatehouse serve`
    // and compares both against `rows`.
    void compare(profile::Profile p, const QList<Row> &rows, int listeners)
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // nginx's workers run as another user when the tests run as root.
        QVERIFY(QFile::setPermissions(dir.path(),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                | QFileDevice::ReadOther | QFileDevice::ExeOther | QFileDevice::ReadGroup
                | QFileDevice::ExeGroup));
        std::vector<std::unique_ptr<GatehouseProcess>> echos;
        QVERIFY(prepare(p, dir.path(), echos));
        const QString exported = dir.filePath(QStringLiteral("exported.yaml"));
        QVERIFY(writeText(exported, profile::writeProfileYaml(p)));
        QByteArray out;
        QByteArray err;
        QCOMPARE(
            GatehouseProcess::run({ QStringLiteral("export"), exported, QStringLiteral("--format"),
                                      QStringLiteral("nginx"), QStringLiteral("-o"),
                                      dir.filePath(QStringLiteral("export.conf")) },
                &out, &err),
            0);
        QFile exportFile(dir.filePath(QStringLiteral("export.conf")));
        QVERIFY(exportFile.open(QIODevice::ReadOnly));
        const QByteArray config = exportFile.readAll();
        // Each warning names a feature that is a "# not exported:" comment in the file.
        for (const QByteArray &line : err.trimmed().split('\n')) {
            if (line.isEmpty()) {
                continue;
            }
            QVERIFY2(line.startsWith("gatehouse: warning: export nginx: not exported: "),
                line.constData());
            QVERIFY2(
                config.contains("# " + line.mid(line.indexOf("not exported: "))), line.constData());
        }
        QVERIFY(writeText(
            dir.filePath(QStringLiteral("nginx.conf")), withTempPaths(config, dir.path())));

        Nginx nginx(dir.path());
        QByteArray checkOutput;
        QVERIFY2(nginx.check(&checkOutput) == 0, checkOutput.constData());
        QVERIFY2(checkOutput.contains("test is successful"), checkOutput.constData());
        QVERIFY(nginx.start(p.listen.first().bind.port));

        const QString served = dir.filePath(QStringLiteral("served.yaml"));
        QVERIFY(writeText(served, profile::writeProfileYaml(servedCopy(p))));
        GatehouseProcess gateway;
        QVERIFY2(gateway.startServe(served, { QStringLiteral("--quiet") }, listeners),
            gateway.stderrText().constData());
        const QRegularExpression plain(
            QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"));
        const quint16 gatewayPort
            = quint16(plain.match(QString::fromUtf8(gateway.stderrText())).captured(1).toUInt());
        QVERIFY(gatewayPort != 0);

        // HTTPS listeners: the first row through each side's TLS port answers alike.
        const QRegularExpression tls(QStringLiteral("listening on https://127\\.0\\.0\\.1:(\\d+)"));
        for (const profile::Listener &listener : p.listen) {
            if (!listener.tls || rows.isEmpty()) {
                continue;
            }
            const quint16 gatewayTls
                = quint16(tls.match(QString::fromUtf8(gateway.stderrText())).captured(1).toUInt());
            for (const quint16 port : { gatewayTls, listener.bind.port }) {
                QByteArray code;
                QCOMPARE(curl({ QStringLiteral("-k"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                  QStringLiteral("-w"), QStringLiteral("%{http_code}"),
                                  QStringLiteral("-X"), QString::fromLatin1(rows.first().method),
                                  QStringLiteral("https://localhost:%1%2")
                                      .arg(port)
                                      .arg(QString::fromLatin1(rows.first().target)) },
                             &code),
                    0);
                QCOMPARE(code.toInt(), rows.first().status);
            }
        }

        for (const Row &row : rows) {
            const QByteArray what = row.method + ' ' + row.target + " (Host " + row.host + ')';
            for (const auto &[side, port] : { std::pair { "gatehouse", gatewayPort },
                     std::pair { "nginx", p.listen.first().bind.port } }) {
                const Answer answer = send(port, row.method, row.target, row.host, row.headers);
                const QByteArray label = QByteArray(side) + ": " + what + " -> "
                    + QByteArray::number(answer.status) + ' ' + answer.upstream.toUtf8() + ' '
                    + answer.path.toUtf8() + ' ' + answer.response.body.left(200);
                QVERIFY2(answer.status == row.status, label.constData());
                QVERIFY2(answer.upstream == row.upstream, label.constData());
                QVERIFY2(answer.path == row.path, label.constData());
                QVERIFY2(
                    answer.allow == row.allow, (label + " Allow: " + answer.allow).constData());
                QVERIFY2(row.body.isEmpty() || answer.response.body == row.body, label.constData());
                if (!row.headerLine.isEmpty()) {
                    const qsizetype colon = row.headerLine.indexOf(':');
                    QVERIFY2(answer.response.header(row.headerLine.left(colon).toLower())
                            == row.headerLine.mid(colon + 1).trimmed(),
                        (label + ' ' + row.headerLine).constData());
                }
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("nginx")).isEmpty()
            && QStandardPaths::findExecutable(
                QStringLiteral("nginx"), { QStringLiteral("/usr/sbin") })
                   .isEmpty()) {
            QFAIL("nginx is not installed (installer/debian-packages.txt lists nginx-light)");
        }
    }

    void shop()
    {
        const auto read
            = profile::readProfileFile(sourceFile(QStringLiteral("profiles/examples/shop.yaml")));
        QVERIFY(read.ok());
        const QList<Row> rows {
            { "GET", "/health", "localhost", {}, 200, {}, {}, {}, "{\"status\":\"ok\"}",
                "Content-Type: application/json" },
            { "GET", "/api/v1/users/42", "localhost", {}, 200, QStringLiteral("users"),
                QStringLiteral("/users/42"), {} },
            { "GET", "/api/v1/users?page=2", "a.shop.test", {}, 200, QStringLiteral("users"),
                QStringLiteral("/users"), {} },
            { "GET", "/api/v1/usersX", "localhost", {}, 404, {}, {}, {} },
            { "PATCH", "/api/v1/users/1", "localhost", {}, 405, {}, {}, "GET, POST, PUT, DELETE" },
            { "GET", "/api/v1/users/1", "shop.test", {}, 404, {}, {}, {} },
            { "GET", "/api/v2/admin/x", "localhost", "X-Env: dev\r\n", 200, QStringLiteral("users"),
                QStringLiteral("/api/v2/admin/x"), {} },
            { "GET", "/api/v1/users/admin/x", "other.test", "X-Env: dev\r\n", 404, {}, {}, {} },
            { "GET", "/api/v1/admin/", "localhost", "X-Env: dev\r\n", 200, QStringLiteral("users"),
                QStringLiteral("/api/v1/admin/"), {} },
            { "GET", "/api/v2/admin/x", "localhost", {}, 404, {}, {}, {} },
            { "GET", "/api/v1/orders/7", "localhost", {}, 200, QStringLiteral("orders"),
                QStringLiteral("/orders/7"), {} },
            { "GET", "/api/v1/catalog/1", "localhost", {}, 200, QStringLiteral("catalog"),
                QStringLiteral("/catalog/1"), {} },
            { "GET", "/api/v1/catalog", "localhost", {}, 200, QStringLiteral("catalog"),
                QStringLiteral("/catalog"), {} },
            { "POST", "/api/v1/catalog", "localhost", {}, 405, {}, {}, "GET" },
            { "GET", "/nothing", "localhost", {}, 404, {}, {}, {} },
        };
        profile::Profile p = *read.profile;
        for (profile::Listener &listener : p.listen) {
            listener.allowedHosts
                = { QStringLiteral("*") }; // the table asks for hosts no route lists
        }
        compare(p, rows, 2);
    }

    // nginx tries `=` locations, then regexes in file order: the export lists exact paths, then
    // every prefix as a segment-aware regex, longest first, then the routes' regexes in profile
    // order, then `location /` for 404; routes that share a path jump to named locations.
    void locationOrder()
    {
        QMap<QString, quint16> ports;
        quint16 placeholder = 1;
        for (const char *name : { "listen", "listen_tls", "alpha-1", "alpha-2", "beta-1", "gamma-1",
                 "gamma-2", "delta-1", "epsilon-1" }) {
            ports.insert(QString::fromLatin1(name), placeholder++);
        }
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("every-key.yaml"));
        QVERIFY(writeText(path,
            everyKeyProfile(ports, dir.filePath(QStringLiteral("cert.pem")),
                dir.filePath(QStringLiteral("key.pem")))));
        QByteArray config;
        QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), path, QStringLiteral("--format"),
                                           QStringLiteral("nginx") },
                     &config),
            0);
        const QByteArray firstServer = config.mid(config.indexOf("    server {"));
        QStringList locations;
        const QRegularExpression location(QStringLiteral("^        (location [^{]*) \\{$"),
            QRegularExpression::MultilineOption);
        auto it = location.globalMatch(QString::fromUtf8(firstServer.left(firstServer.indexOf("\n    }\n"))));
        while (it.hasNext()) {
            locations.append(it.next().captured(1));
        }
        const QStringList expected {
            QStringLiteral("location = \"/status\""),
            QStringLiteral("location ~ \"^/api/v2/items(?:/|$)\""),
            QStringLiteral("location ~ \"^/tenant(?:/|$)\""),
            QStringLiteral("location ~ \"^/api(?:/|$)\""),
            QStringLiteral("location ~ \"^/reports/[0-9]+$\""),
            QStringLiteral("location ~ \"^/r/\""),
            QStringLiteral("location /"),
        };
        QCOMPARE(locations.mid(0, expected.size()), expected);
        QVERIFY(locations.contains(QStringLiteral("location @gh_route_api_admin_host")));
        QVERIFY(!config.contains("/off")); // a disabled route is not served
    }

    // A prefix "/" beats every regex in the gateway, and falls through to them on its conditions.
    void catchAllPrefixAndRegexes()
    {
        const QByteArray yaml
            = "gatehouse: 1\n"
              "listen: [{ bind: 127.0.0.1:1 }]\n"
              "upstreams:\n"
              "  - { name: alpha, targets: [{ url: http://127.0.0.1:2 }] }\n"
              "  - { name: beta, targets: [{ url: http://127.0.0.1:3 }] }\n"
              "  - { name: gamma, targets: [{ url: http://127.0.0.1:4 }] }\n"
              "routes:\n"
              "  - { name: root-host, match: { path: /, hosts: [root.test] }, upstream: alpha }\n"
              "  - { name: xs, match: { path_regex: ^/x }, upstream: beta }\n"
              "  - { name: root-post, match: { path: /, methods: [POST] }, upstream: gamma }\n"
              "  - { name: hello, match: { path_exact: /x/hello }, respond: { body: hi } }\n";
        const auto read
            = profile::readProfile(yaml, QStringLiteral("catch-all.yaml"), QDir::tempPath());
        QVERIFY(read.ok());
        profile::Profile p = *read.profile;
        p.listen[0].allowedHosts = { QStringLiteral("*") };
        const QList<Row> rows {
            { "GET", "/x1", "root.test", {}, 200, QStringLiteral("alpha"), QStringLiteral("/x1"),
                {} },
            { "GET", "/x1", "localhost", {}, 200, QStringLiteral("beta"), QStringLiteral("/x1"),
                {} },
            { "POST", "/x1", "localhost", {}, 200, QStringLiteral("gamma"), QStringLiteral("/x1"),
                {} },
            { "GET", "/y", "localhost", {}, 405, {}, {}, "POST" },
            { "POST", "/", "localhost", {}, 200, QStringLiteral("gamma"), QStringLiteral("/"), {} },
            { "GET", "/x/hello", "root.test", {}, 200, {}, {}, {}, "hi" },
        };
        compare(p, rows, 1);
    }

    // Configurations with what the tables above do not reach: nginx -t accepts each.
    void configPasses_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        const QByteArray upstreams
            = "upstreams:\n"
              "  - { name: a, balance: least_latency, targets: [{ url: http://127.0.0.1:9001 }] }\n"
              "  - { name: b, balance: consistent_hash, hash_on: claim:sub, targets: [{ url: "
              "http://127.0.0.1:9002 }] }\n"
              "  - { name: c, balance: consistent_hash, hash_on: cookie:session, targets: [{ url: "
              "http://127.0.0.1:9003 }] }\n"
              "  - { name: d, balance: consistent_hash, hash_on: path, targets: [{ url: "
              "http://127.0.0.1:9004 }] }\n"
              "  - name: e\n"
              "    targets: [{ url: https://127.0.0.1:9005 }]\n"
              "    tls: { ca: CERT, server_name: e.internal }\n"
              "    health_check: {}\n"
              "    circuit_breaker: {}\n"
              "    retry_budget: { percent: 10 }\n"
              "  - { name: f, targets: [{ url: https://127.0.0.1:9006 }], tls: { verify: false } "
              "}\n";
        QTest::newRow("balancers and https upstreams")
            << "gatehouse: 1\nlisten: [{ bind: 127.0.0.1:PORT }]\n" + upstreams
                + "routes:\n"
                  "  - { name: r-a, match: { path: /a }, upstream: a }\n"
                  "  - { name: r.b, match: { path: /b }, upstream: b }\n"
                  "  - { name: r_b, match: { path: /b, methods: [GET] }, upstream: c }\n"
                  "  - { name: r-e, match: { path_regex: \"^/(e|f)$\" }, upstream: e }\n"
                  "  - { name: r-f, match: { path: /f }, upstream: f }\n";
        QTest::newRow("listeners: SNI, redirect, auto TLS") << QByteArray(
            "gatehouse: 1\n"
            "listen:\n"
            "  - { bind: 127.0.0.1:PORT, redirect_https: true }\n"
            "  - bind: 127.0.0.1:PORT2\n"
            "    tls: { certificates: [{ hosts: [a.test, \"*.b.test\"], cert: CERT, key: KEY }, { "
            "hosts: [c.test], cert: CERT, key: KEY }] }\n"
            "  - { bind: 127.0.0.1:PORT3, tls: { auto: true } }\n"
            "routes: [{ name: hello, match: { path_exact: /hello }, respond: { body: hi } }]\n");
        QTest::newRow("answers, limits, cors patterns") << QByteArray(
            "gatehouse: 1\n"
            "listen: [{ bind: 127.0.0.1:PORT }]\n"
            "upstreams: [{ name: u, targets: [{ url: http://127.0.0.1:9001 }] }]\n"
            "routes:\n"
            "  - { name: moved, match: { path_exact: /old }, respond: { status: 308, headers: { "
            "Location: /new } } }\n"
            "  - { name: price, match: { path: /p }, respond: { headers: { X-Cost: \"$5\" }, body: "
            "\"costs $5\\n{}\" }, rate_limit: [g] }\n"
            "  - name: all\n"
            "    match: { path: /, methods: [GET, HEAD] }\n"
            "    upstream: u\n"
            "    rate_limit: [g, per-route, redis, consumer, slow]\n"
            "    cors: { origins: [\"*\"] }\n"
            "  - { name: cors-ports, match: { path: /c }, upstream: u, cors: { origins: "
            "[\"http://localhost:*\", \"https://*.x.test\"] } }\n"
            "rate_limits:\n"
            "  - { name: g, requests: 5, per: 1s, key: global }\n"
            "  - { name: per-route, requests: 7, per: 3s, key: route }\n"
            "  - { name: redis, requests: 5, key: ip, store: \"redis://127.0.0.1:6379/0\" }\n"
            "  - { name: consumer, requests: 5 }\n"
            "  - { name: slow, requests: 1, per: 7m, key: ip }\n");
    }

    void configPasses()
    {
        QFETCH(QByteArray, yaml);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(makeCertificate(dir.path()));
        yaml.replace("CERT", dir.filePath(QStringLiteral("cert.pem")).toUtf8())
            .replace("KEY", dir.filePath(QStringLiteral("key.pem")).toUtf8());
        yaml.replace("PORT3", QByteArray::number(freePort()))
            .replace("PORT2", QByteArray::number(freePort()));
        yaml.replace("PORT", QByteArray::number(freePort()));
        const QString path = dir.filePath(QStringLiteral("p.yaml"));
        QVERIFY(writeText(path, yaml));
        QByteArray config;
        QByteArray err;
        QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), path, QStringLiteral("--format"),
                                           QStringLiteral("nginx") },
                     &config, &err),
            0);
        QVERIFY(writeText(
            dir.filePath(QStringLiteral("nginx.conf")), withTempPaths(config, dir.path())));
        Nginx nginx(dir.path());
        QByteArray checkOutput;
        QVERIFY2(nginx.check(&checkOutput) == 0, (checkOutput + "\n" + config).constData());
    }

    void everyExportableKey()
    {
        QMap<QString, quint16> ports;
        quint16 placeholder = 1; // replaced by prepare()
        for (const char *name : { "listen", "listen_tls", "alpha-1", "alpha-2", "beta-1", "gamma-1",
                 "gamma-2", "delta-1", "epsilon-1" }) {
            ports.insert(QString::fromLatin1(name), placeholder++);
        }
        const auto read = profile::readProfile(
            everyKeyProfile(ports, QStringLiteral("cert.pem"), QStringLiteral("key.pem")),
            QStringLiteral("every-key.yaml"), QDir::tempPath());
        for (const auto &problem : read.problems) {
            qWarning("%s", qPrintable(problem.toString()));
        }
        QVERIFY(read.ok());
        profile::Profile p = *read.profile;
        p.listen[0].allowedHosts = { QStringLiteral("localhost"), QStringLiteral("admin.test"),
            QStringLiteral("*.admin.test") };
        const QByteArray preflight
            = "Origin: http://localhost:3000\r\nAccess-Control-Request-Method: POST\r\n";
        const QList<Row> rows {
            { "GET", "/status", "localhost", {}, 203, {}, {}, {}, "up $1 \"quoted\"",
                "X-Mock: yes" },
            { "GET", "/api", "localhost", {}, 200, QStringLiteral("alpha"), QStringLiteral("/"),
                {} },
            { "GET", "/api/users?x=1", "localhost", {}, 200, QStringLiteral("alpha"),
                QStringLiteral("/users"), {} },
            { "GET", "/apix", "localhost", {}, 404, {}, {}, {} },
            { "DELETE", "/api/users", "localhost", {}, 405, {}, {}, "GET, POST" },
            { "DELETE", "/api/users", "admin.test", {}, 200, QStringLiteral("beta"),
                QStringLiteral("/api/users"), {} },
            { "GET", "/api", "x.admin.test", {}, 200, QStringLiteral("alpha"), QStringLiteral("/"),
                {} },
            { "PUT", "/api/v2/items/9", "localhost", {}, 200, QStringLiteral("gamma"),
                QStringLiteral("/items/9"), {} },
            { "PUT", "/api/v2/items", "localhost", {}, 200, QStringLiteral("gamma"),
                QStringLiteral("/items"), {} },
            { "GET", "/api/v2/items/9", "localhost", {}, 200, QStringLiteral("alpha"),
                QStringLiteral("/v2/items/9"), {} },
            { "DELETE", "/api/v2/items", "localhost", {}, 405, {}, {}, "PUT, GET, POST" },
            { "GET", "/tenant", "localhost", "X-Tenant: blue\r\n", 200, QStringLiteral("delta"),
                QStringLiteral("/tenant"), {} },
            { "GET", "/tenant/a", "localhost", {}, 200, QStringLiteral("epsilon"),
                QStringLiteral("/tenant/a"), {} },
            { "GET", "/tenant/a", "localhost", "X-Tenant: red\r\n", 200, QStringLiteral("epsilon"),
                QStringLiteral("/tenant/a"), {} },
            { "GET", "/reports/42", "localhost", {}, 200, QStringLiteral("beta"),
                QStringLiteral("/reports/42"), {} },
            { "GET", "/reports/abc", "localhost", {}, 404, {}, {}, {} },
            { "POST", "/r/x", "localhost", {}, 200, QStringLiteral("gamma"), QStringLiteral("/r/x"),
                {} },
            { "GET", "/r/x", "localhost", {}, 405, {}, {}, "POST" },
            { "GET", "/off", "localhost", {}, 404, {}, {}, {} },
            { "GET", "/", "localhost", {}, 404, {}, {}, {} },
            { "GET", "/api", "evil.test", {}, 403, {}, {}, {} },
            { "OPTIONS", "/api/x", "localhost", preflight, 204, {}, {}, {}, {},
                "Access-Control-Allow-Origin: http://localhost:3000" },
            { "GET", "/api/x", "localhost", "Origin: http://localhost:3000\r\n", 200,
                QStringLiteral("alpha"), QStringLiteral("/x"), {}, {},
                "Access-Control-Allow-Credentials: true" },
        };
        compare(p, rows, 2);
    }
};

QTEST_GUILESS_MAIN(TestNginxExport)
#include "TestNginxExport.moc"
