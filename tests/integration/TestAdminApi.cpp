// The admin API through `gatehouse serve` (SPEC §4): bearer token on every /admin call, status,
// profile as JSON, PUT of a new profile (problems with positions and the old one running; or
// applied in place, same process, while 20 keep-alive clients see no failure), upstream state,
// token revocation, and token_from headers and query parameters redacted like Authorization.

#include <atomic>
#include <csignal>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

const QByteArray kAdminToken = "admin-token-for-tests-0123456789";
const QByteArray kJwtSecret = "admin-test-jwt-secret-0123456789abcdef";

} // namespace

class TestAdminApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void tokenIsRequired();
    void probesNeedNoToken();
    void statusProfileAndUpstreams();
    void badProfileIsRefusedWithPositions();
    void goodProfileAppliesUnderLoadWithoutFailures();
    void revokeThroughTheApi();
    void requestHistory();
    void tokenSourcesAreRedacted();
    void notReadyWhileDraining();
    void adminOverTls();

private:
    QByteArray profile(const QByteArray &extraRoutes = {}) const;
    QnamResult call(const QByteArray &verb, const QString &path, const QByteArray &body = {},
                    const QByteArray &token = kAdminToken);

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
    GatehouseProcess m_gateway;
    QString m_adminUrl;
    QNetworkAccessManager m_manager;
};

QByteArray TestAdminApi::profile(const QByteArray &extraRoutes) const
{
    const QByteArray routes = "  - { name: a, match: { path: /a }, upstream: echo }\n"
                              "  - { name: private, match: { path: /private }, respond: { status: 200, body: secret-stuff }, auth: hs }\n";
    return echoProfile("admin-test", m_echo.url(), routes + extraRoutes,
                       "admin: { bind: 127.0.0.1:0, token: file:admin.token }\n"
                       "jwt:\n"
                       "  - { name: hs, algorithms: [HS256], secret: file:jwt.secret,\n"
                       "      token_from: [header:Authorization, header:X-Api-Token, query:access_token] }\n");
}

QnamResult TestAdminApi::call(const QByteArray &verb, const QString &path, const QByteArray &body, const QByteArray &token)
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty()) {
        headers.append({ "Authorization", "Bearer " + token });
    }
    if (!body.isEmpty()) {
        headers.append({ QByteArray("Content-Type"), QByteArray("application/yaml") });
    }
    return qnam(m_manager, verb, m_adminUrl + path, headers, body);
}

void TestAdminApi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_echo.startEcho(QStringLiteral("echo")), m_echo.stderrText().constData());
    writeFile(m_dir, QStringLiteral("admin.token"), kAdminToken + '\n');
    writeFile(m_dir, QStringLiteral("jwt.secret"), kJwtSecret);
    const QString path = writeFile(m_dir, QStringLiteral("admin.yaml"), profile());
    // The access log goes to a file: a pipe nobody reads while the load runs would fill up.
    QVERIFY2(startServeWithAccessLog(m_gateway, path, m_dir.filePath(QStringLiteral("admin.jsonl"))), m_gateway.stderrText().constData());
    m_adminUrl = m_gateway.adminUrl();
    QVERIFY2(m_adminUrl.startsWith(QStringLiteral("http://127.0.0.1:")), m_gateway.stderrText().constData());
}

void TestAdminApi::cleanupTestCase()
{
    m_gateway.terminate();
    m_echo.terminate();
}

void TestAdminApi::tokenIsRequired()
{
    QnamResult result = call("GET", QStringLiteral("/admin/status"), {}, {});
    QCOMPARE(result.status, 401);
    QCOMPARE(json(result.body).value(u"error").toString(), QStringLiteral("unauthorized"));
    QVERIFY(result.header("www-authenticate").startsWith("Bearer"));
    QCOMPARE(call("GET", QStringLiteral("/admin/status"), {}, "wrong").status, 401);
    QCOMPARE(call("GET", QStringLiteral("/admin/status"), {}, kAdminToken + "x").status, 401);
    QCOMPARE(call("GET", QStringLiteral("/admin/status"), {}, kAdminToken.left(10)).status, 401);
    QCOMPARE(call("GET", QStringLiteral("/admin/status")).status, 200);
    QCOMPARE(call("GET", QStringLiteral("/admin/nothing")).status, 404);
    QCOMPARE(call("DELETE", QStringLiteral("/admin/status")).status, 405);
    // The token never comes back in an answer.
    QVERIFY(!call("GET", QStringLiteral("/admin/profile")).body.contains(kAdminToken));
}

void TestAdminApi::probesNeedNoToken()
{
    QnamResult result = call("GET", QStringLiteral("/health"), {}, {});
    QCOMPARE(result.status, 200);
    QCOMPARE(json(result.body).value(u"status").toString(), QStringLiteral("ok"));
    result = call("GET", QStringLiteral("/ready"), {}, {});
    QCOMPARE(result.status, 200);
    QCOMPARE(json(result.body).value(u"ready").toBool(), true);
}

void TestAdminApi::statusProfileAndUpstreams()
{
    QCOMPARE(qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/a")).status, 200);
    QnamResult result = call("GET", QStringLiteral("/admin/status"));
    const QJsonObject status = json(result.body);
    QCOMPARE(status.value(u"profile").toString(), QStringLiteral("admin-test"));
    QCOMPARE(status.value(u"listeners").toArray().first().toString(), m_gateway.url());
    QVERIFY(status.value(u"profile_file").toString().endsWith(u"admin.yaml"));
    QVERIFY(!status.value(u"version").toString().isEmpty());
    QTRY_VERIFY(json(call("GET", QStringLiteral("/admin/status")).body).value(u"requests_served").toInt() >= 1);

    const QJsonObject running = json(call("GET", QStringLiteral("/admin/profile")).body);
    QCOMPARE(running.value(u"gatehouse").toInt(), 1);
    QCOMPARE(running.value(u"routes").toArray().first().toObject().value(u"name").toString(), QStringLiteral("a"));
    QCOMPARE(running.value(u"admin").toObject().value(u"token").toString(), QStringLiteral("file:admin.token"));

    const QJsonObject upstreams = json(call("GET", QStringLiteral("/admin/upstreams")).body);
    const QJsonObject echo = upstreams.value(u"upstreams").toArray().first().toObject();
    QCOMPARE(echo.value(u"name").toString(), QStringLiteral("echo"));
    const QJsonObject target = echo.value(u"targets").toArray().first().toObject();
    QCOMPARE(target.value(u"url").toString(), QStringLiteral("http://127.0.0.1:") + QString::number(m_echo.port()));
    QVERIFY(target.contains(u"in_flight") && target.contains(u"ewma_latency_ms") && target.contains(u"ejected"));
    QCOMPARE(echo.value(u"circuit").toString(), QStringLiteral("none"));
}

void TestAdminApi::badProfileIsRefusedWithPositions()
{
    const QnamResult result = call("PUT", QStringLiteral("/admin/profile"), "gatehouse: 1\nroutes:\n  - name: x\n    upstraem: nowhere\n");
    QCOMPARE(result.status, 400);
    const QJsonObject answer = json(result.body);
    QCOMPARE(answer.value(u"error").toString(), QStringLiteral("invalid_profile"));
    const QJsonArray problems = answer.value(u"problems").toArray();
    QVERIFY(!problems.isEmpty());
    const auto typo = std::find_if(problems.begin(), problems.end(), [](const QJsonValue &problem) {
        return problem.toObject().value(u"message").toString().contains(u"unknown key 'upstraem'");
    });
    QVERIFY(typo != problems.end());
    QCOMPARE(typo->toObject().value(u"line").toInt(), 4);
    QCOMPARE(typo->toObject().value(u"column").toInt(), 5);
    QVERIFY(typo->toObject().value(u"where").toString().startsWith(u"<admin>:4:5: "));
    QCOMPARE(call("PUT", QStringLiteral("/admin/profile"), "routes: [unclosed").status, 400);
    // The running profile stays.
    QCOMPARE(qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/a")).status, 200);
}

void TestAdminApi::goodProfileAppliesUnderLoadWithoutFailures()
{
    const qint64 pid = m_gateway.pid();
    const QByteArray updated = profile("  - { name: b, match: { path: /b }, respond: { status: 200, body: new } }\n");
    const quint16 port = m_gateway.port();
    const QUrl admin(m_adminUrl);
    std::atomic<int> ok { 0 };
    std::atomic<int> failed { 0 };
    std::atomic<int> applied { 0 };
    std::atomic<int> lastApplyStatus { 0 }; // -1: no answer in time
    // 20 keep-alive clients for 5 s; one more thread applies the profile (twice) meanwhile.
    QVERIFY(runClientThreads(21, [&](int index) {
        QElapsedTimer timer;
        timer.start();
        if (index == 20) {
            for (const int at : { 1500, 3500 }) {
                while (timer.elapsed() < at) {
                    QThread::msleep(20);
                }
                RawConnection connection;
                // Generous: under ASan the 20 clients keep both cores busy while the profile compiles.
                const auto answer = connection.open(quint16(admin.port()))
                    ? connection.roundTrip("PUT", "/admin/profile", { { "Authorization", "Bearer " + kAdminToken } }, updated, 12000)
                    : std::nullopt;
                applied += answer && answer->status == 200 ? 1 : 0;
                lastApplyStatus = answer ? answer->status : -1;
            }
            return;
        }
        auto connection = std::make_unique<RawConnection>();
        if (!connection->open(port)) {
            ++failed;
            return;
        }
        while (timer.elapsed() < 5000) {
            const auto response = connection->roundTrip("GET", "/a");
            (response && response->status == 200 ? ok : failed)++;
            if (!response) {
                connection = std::make_unique<RawConnection>();
                if (!connection->open(port)) {
                    return;
                }
            }
        }
    }, 30000));
    qInfo("live apply under load: %d requests ok, %d failed, %d applies (last answered %d)", ok.load(), failed.load(),
          applied.load(), lastApplyStatus.load());
    QCOMPARE(applied.load(), 2);
    QCOMPARE(failed.load(), 0);
    QVERIFY(ok > 1000);
    QCOMPARE(m_gateway.pid(), pid);
    const QnamResult added = qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/b"));
    QCOMPARE(added.status, 200);
    QCOMPARE(added.body, QByteArray("new"));
}

void TestAdminApi::revokeThroughTheApi()
{
    QByteArray token;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), m_dir.filePath(QStringLiteral("admin.yaml")), QStringLiteral("--jwt"),
                                     QStringLiteral("hs") },
                                   &token),
             0);
    token = token.trimmed();
    const auto privateStatus = [&] {
        return qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/private"), { { "Authorization", "Bearer " + token } }).status;
    };
    QCOMPARE(privateStatus(), 200);
    QCOMPARE(call("POST", QStringLiteral("/admin/jwt/revoke"), "{}").status, 400);
    QCOMPARE(call("POST", QStringLiteral("/admin/jwt/revoke"), R"({"token": "not-a-jwt"})").status, 400);
    QnamResult result = call("POST", QStringLiteral("/admin/jwt/revoke"), R"({"token": ")" + token + R"("})");
    QCOMPARE(result.status, 200);
    QCOMPARE(json(result.body).value(u"revoked").toBool(), true);
    QCOMPARE(privateStatus(), 401);
    QCOMPARE(call("POST", QStringLiteral("/admin/jwt/revoke"), R"({"jti": "some-jti"})").status, 200);
}

void TestAdminApi::requestHistory()
{
    // A request found again by the X-Request-ID it was sent with (the seed's "logs by trace id").
    const QnamResult sent = qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/a?x=1"),
                                 { { "X-Request-ID", "trace-4242" }, { "Authorization", "Bearer hunter2" }, { "Cookie", "s=1" } });
    QCOMPARE(sent.status, 200);
    QJsonArray found;
    QTRY_VERIFY_WITH_TIMEOUT((found = json(call("GET", QStringLiteral("/admin/requests?request_id=trace-4242")).body)
                                          .value(u"requests").toArray())
                                 .size() == 1,
                             5000);
    const QJsonObject request = found.first().toObject();
    QCOMPARE(request.value(u"path").toString(), QStringLiteral("/a?x=1"));
    QCOMPARE(request.value(u"route").toString(), QStringLiteral("a"));
    QCOMPARE(request.value(u"status").toInt(), 200);
    QVERIFY(request.value(u"client").toString().startsWith(u"127.0.0.1:"));
    const QJsonObject headers = request.value(u"request_headers").toObject();
    QCOMPARE(headers.value(u"x-request-id").toString(), QStringLiteral("trace-4242"));
    QCOMPARE(headers.value(u"authorization").toString(), QStringLiteral("[redacted]"));
    QCOMPARE(headers.value(u"cookie").toString(), QStringLiteral("[redacted]"));
    QVERIFY(request.value(u"response_headers").toObject().contains(u"content-type"));

    // Filters and limit. (Newest first is by arrival: each worker hands its requests over every
    // 200 ms, so two workers' requests may interleave that much.)
    QCOMPARE(qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/nowhere")).status, 404);
    QTRY_VERIFY_WITH_TIMEOUT(json(call("GET", QStringLiteral("/admin/requests?status=4xx&limit=1")).body)
                                     .value(u"requests").toArray().first().toObject().value(u"path").toString()
                                 == u"/nowhere",
                             5000);
    const QJsonArray latest = json(call("GET", QStringLiteral("/admin/requests?limit=2")).body).value(u"requests").toArray();
    QCOMPARE(latest.size(), 2);
    const QJsonArray onRoute = json(call("GET", QStringLiteral("/admin/requests?route=a&limit=10000")).body).value(u"requests").toArray();
    QVERIFY(!onRoute.isEmpty());
    for (const QJsonValue &line : onRoute) {
        QCOMPARE(line.toObject().value(u"route").toString(), QStringLiteral("a"));
    }
    QCOMPARE(call("GET", QStringLiteral("/admin/requests?limit=0")).status, 400);
    QVERIFY(!call("GET", QStringLiteral("/admin/requests?limit=10000")).body.contains("hunter2"));
}

void TestAdminApi::tokenSourcesAreRedacted()
{
    // SPEC §7.1: the headers and query parameters token_from names carry credentials like
    // Authorization, so the access log and /admin/requests redact them, on every route (the
    // names are the running profile's); the upstream still gets them as sent.
    QByteArray token;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), m_dir.filePath(QStringLiteral("admin.yaml")), QStringLiteral("--jwt"),
                                     QStringLiteral("hs") },
                                   &token),
             0);
    token = token.trimmed();
    QVERIFY(!token.isEmpty());
    const QnamResult fromQuery = qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/private?page=2&access_token=") + QString::fromLatin1(token),
                                      { { "X-Request-ID", "redact-query" } });
    QCOMPARE(fromQuery.status, 200); // the query parameter is a token source
    const QnamResult passing = qnam(m_manager, "GET", m_gateway.url() + QStringLiteral("/a?access_token=query-secret-77&x=1"),
                                    { { "X-Request-ID", "redact-public" }, { "X-Api-Token", "header-secret-99" } });
    QCOMPARE(passing.status, 200);
    const QJsonObject echoed = json(passing.body);
    QCOMPARE(echoed.value(u"query").toString(), QStringLiteral("access_token=query-secret-77&x=1"));
    QCOMPARE(echoed.value(u"headers").toObject().value(u"x-api-token").toString(), QStringLiteral("header-secret-99"));

    const auto history = [this](const char *requestId) {
        const QJsonArray found = json(call("GET", QStringLiteral("/admin/requests?request_id=") + QLatin1String(requestId)).body)
                                     .value(u"requests").toArray();
        return found.isEmpty() ? QJsonObject() : found.first().toObject();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!history("redact-public").isEmpty(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!history("redact-query").isEmpty(), 5000);
    QCOMPARE(history("redact-query").value(u"path").toString(), QStringLiteral("/private?page=2&access_token=[redacted]"));
    const QJsonObject shown = history("redact-public");
    QCOMPARE(shown.value(u"path").toString(), QStringLiteral("/a?access_token=[redacted]&x=1"));
    QCOMPARE(shown.value(u"request_headers").toObject().value(u"x-api-token").toString(), QStringLiteral("[redacted]"));
    const QByteArray everything = call("GET", QStringLiteral("/admin/requests?limit=10000")).body;
    for (const QByteArray &secret : { token, QByteArray("query-secret-77"), QByteArray("header-secret-99") }) {
        QVERIFY2(!everything.contains(secret), secret.constData());
    }

    // The access log line shows the same path, and no secret anywhere.
    const QString logPath = m_dir.filePath(QStringLiteral("admin.jsonl"));
    const auto logLine = [&logPath](const QByteArray &requestId) {
        QFile log(logPath);
        if (!log.open(QIODevice::ReadOnly)) {
            return QJsonObject();
        }
        for (const QByteArray &line : log.readAll().split('\n')) {
            if (line.contains("\"" + requestId + "\"")) {
                return json(line);
            }
        }
        return QJsonObject();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!logLine("redact-public").isEmpty() && !logLine("redact-query").isEmpty(), 5000);
    QCOMPARE(logLine("redact-public").value(u"path").toString(), QStringLiteral("/a?access_token=[redacted]&x=1"));
    QCOMPARE(logLine("redact-query").value(u"path").toString(), QStringLiteral("/private?page=2&access_token=[redacted]"));
    QFile log(logPath);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray logText = log.readAll();
    for (const QByteArray &secret : { token, QByteArray("query-secret-77"), QByteArray("header-secret-99") }) {
        QVERIFY2(!logText.contains(secret), secret.constData());
    }
}

void TestAdminApi::notReadyWhileDraining()
{
    // A request still in flight keeps the gateway draining after SIGTERM: /ready says 503 then.
    GatehouseProcess slow;
    QVERIFY(slow.startEcho(QStringLiteral("slow"), { QStringLiteral("--delay"), QStringLiteral("1500ms") }));
    QByteArray yaml = profile();
    yaml.replace("http://127.0.0.1:" + portOf(m_echo), "http://127.0.0.1:" + portOf(slow));
    GatehouseProcess gateway;
    QVERIFY(startServeWithAccessLog(gateway, writeFile(m_dir, QStringLiteral("drain.yaml"), yaml), m_dir.filePath(QStringLiteral("drain.jsonl"))));
    const QString admin = gateway.adminUrl();
    QCOMPARE(qnam(m_manager, "GET", admin + QStringLiteral("/ready")).status, 200);
    RawConnection inFlight;
    QVERIFY(inFlight.open(gateway.port()));
    inFlight.send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QTest::qWait(200);
    gateway.signal(SIGTERM);
    QVERIFY(gateway.waitForStderr("draining"));
    const QnamResult draining = qnam(m_manager, "GET", admin + QStringLiteral("/ready"));
    QCOMPARE(draining.status, 503);
    QCOMPARE(json(draining.body).value(u"ready").toBool(true), false);
    const auto finished = inFlight.readFinal(5000);
    QVERIFY(finished && finished->status == 200); // the request in flight still completes
}

void TestAdminApi::adminOverTls()
{
    // admin.tls: the bearer token never crosses the wire in clear text.
    QProcess openssl;
    openssl.setWorkingDirectory(m_dir.path());
    openssl.start(QStringLiteral("openssl"),
                  { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                    QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                    QStringLiteral("-addext"), QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"),
                    QStringLiteral("-keyout"), QStringLiteral("admin-key.pem"), QStringLiteral("-out"), QStringLiteral("admin.pem") });
    QVERIFY(openssl.waitForFinished(15000));
    QCOMPARE(openssl.exitCode(), 0);
    QByteArray yaml = profile();
    yaml.replace("admin: { bind: 127.0.0.1:0, token: file:admin.token }",
                 "admin: { bind: 127.0.0.1:0, token: file:admin.token, tls: { cert: admin.pem, key: admin-key.pem } }");
    GatehouseProcess gateway;
    QVERIFY(startServeWithAccessLog(gateway, writeFile(m_dir, QStringLiteral("tls-admin.yaml"), yaml), m_dir.filePath(QStringLiteral("tls-admin.jsonl"))));
    const QUrl adminUrl(gateway.adminUrl());
    QVERIFY2(adminUrl.scheme() == u"https" && adminUrl.host() == u"127.0.0.1", gateway.stderrText().constData());
    const QString port = QString::number(adminUrl.port());
    const QString https = QStringLiteral("https://localhost:%1").arg(port);
    const QString ca = m_dir.filePath(QStringLiteral("admin.pem"));

    QByteArray out;
    QCOMPARE(curl({ QStringLiteral("-s"), QStringLiteral("--cacert"), ca, QStringLiteral("-H"),
                    QStringLiteral("Authorization: Bearer ") + QString::fromLatin1(kAdminToken), https + QStringLiteral("/admin/status") },
                  &out),
             0);
    QCOMPARE(json(out).value(u"profile").toString(), QStringLiteral("admin-test"));
    QCOMPARE(curl({ QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"), QStringLiteral("%{http_code}"),
                    QStringLiteral("--cacert"), ca, https + QStringLiteral("/admin/status") }, &out),
             0);
    QCOMPARE(out, QByteArray("401"));
    // Plain HTTP to the TLS port gets no answer at all, let alone one that reads the token.
    const int plain = curl({ QStringLiteral("-s"), QStringLiteral("-m"), QStringLiteral("5"), QStringLiteral("-H"),
                             QStringLiteral("Authorization: Bearer ") + QString::fromLatin1(kAdminToken),
                             QStringLiteral("http://127.0.0.1:%1/admin/status").arg(port) }, &out);
    QVERIFY(plain != 0);
    QVERIFY(!out.contains("admin-test"));
    gateway.terminate();
}

QTEST_GUILESS_MAIN(TestAdminApi)
#include "TestAdminApi.moc"
