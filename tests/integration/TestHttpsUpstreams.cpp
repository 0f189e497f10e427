// HTTPS upstreams through two real gateways (docs/tls.md "HTTPS upstreams"): the upstream is a
// `gatehouse serve` with an HTTPS listener (certificates from test CA "A") in front of an echo.
// The gateway under test verifies it against a CA file, the system store or not at all, sends
// and verifies `server_name`, pools TLS connections, retries a failed handshake on another target,
// health-checks over TLS, carries large bodies both ways, and survives the upstream's death.

#include <QCryptographicHash>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/integration/TlsTestCertificates.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

// One request on its own connection; nullopt when nothing came back.
std::optional<HttpResponse> oneRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                                       const QByteArray &requestId = {}, const QByteArray &body = {},
                                       int timeoutMs = 10000)
{
    RawConnection connection;
    if (!connection.open(port)) {
        return std::nullopt;
    }
    QList<std::pair<QByteArray, QByteArray>> headers { { "Connection", "close" } };
    if (!requestId.isEmpty()) {
        headers.append({ "X-Request-ID", requestId });
    }
    return connection.roundTrip(method, path, headers, body, timeoutMs);
}

} // namespace

class TestHttpsUpstreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void verification_data();
    void verification();
    void pooledConnectionsAreReused();
    void largeBodiesBothWays();
    void failedHandshakeRetriesOnAnotherTarget();
    void healthChecksVerifyToo();
    void pooledConnectionClosedByUpstream();
    void poolsAreSeparatePerTlsSetting();
    void intermediateChainVerifies();
    void stalledUpstreamHandshake();
    void upstreamKilled();
    void badChunkWhileUpstreamHandshakes();

private:
    // `gatehouse serve` with one plain listener and upstream `u` of `targets` (YAML flow list
    // items) and `tls` (a line under the upstream, may be empty).
    bool startFront(GatehouseProcess &gateway, const QString &name, const QByteArray &targets, const QByteArray &tls,
                    const QByteArray &upstreamExtra = {}, const QByteArray &routeExtra = {});
    // The HTTPS gateway in front of the echo: port 0 of `gateway`.
    bool startTlsUpstream(GatehouseProcess &gateway, const QString &name, QString *logPath = nullptr,
                          const QByteArray &extra = {});
    // Whether the shared upstream's access log has a line for `requestId` within `timeoutMs` (its
    // log is written in batches every 200 ms).
    bool upstreamLogged(const QByteArray &requestId, int timeoutMs) const
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!byRequestId(readAccessLog(m_upstreamLog)).contains(QString::fromLatin1(requestId))) {
            if (deadline.hasExpired()) {
                return false;
            }
            QTest::qWait(50);
        }
        return true;
    }
    QByteArray upstreamUrl(const char *host) const
    {
        return "https://" + QByteArray(host) + ':' + QByteArray::number(m_upstream.port());
    }

    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
    GatehouseProcess m_upstream;
    QString m_upstreamLog;
};

void TestHttpsUpstreams::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString dir = m_dir.path();
    QVERIFY(makeTestCa(dir, QStringLiteral("caA"), QStringLiteral("Test CA A")));
    QVERIFY(makeTestCa(dir, QStringLiteral("caB"), QStringLiteral("Test CA B")));
    QVERIFY(makeTestLeaf(dir, QStringLiteral("upstream"), QStringLiteral("caA"), QStringLiteral("localhost"),
                         { QStringLiteral("DNS:localhost"), QStringLiteral("IP:127.0.0.1") }));
    QVERIFY(makeTestLeaf(dir, QStringLiteral("a"), QStringLiteral("caA"), QStringLiteral("a.test"), { QStringLiteral("DNS:a.test") }));
    QVERIFY2(m_echo.startEcho(QStringLiteral("echo")), m_echo.stderrText().constData());
    QVERIFY(startTlsUpstream(m_upstream, QStringLiteral("upstream"), &m_upstreamLog));
}

void TestHttpsUpstreams::cleanupTestCase()
{
    m_upstream.terminate();
    m_echo.terminate();
}

bool TestHttpsUpstreams::startTlsUpstream(GatehouseProcess &gateway, const QString &name, QString *logPath,
                                          const QByteArray &extra)
{
    const QString profile = writeFile(m_dir, name + QStringLiteral(".yaml"),
                                      "gatehouse: 1\nname: " + name.toUtf8()
                                          + "\nlisten:\n"
                                            "  - bind: 127.0.0.1:0\n"
                                            "    tls:\n"
                                            "      cert: upstream.pem\n"
                                            "      key: upstream-key.pem\n"
                                            "      certificates:\n"
                                            "        - { hosts: [a.test], cert: a.pem, key: a-key.pem }\n"
                                            "upstreams:\n"
                                            "  - name: echo\n"
                                            "    targets: [{ url: \"http://127.0.0.1:"
                                          + portOf(m_echo) + "\" }]\nroutes:\n  - { name: all, match: { path: / }, upstream: echo }\n" + extra);
    const bool started = logPath ? startServeWithAccessLog(gateway, profile, *logPath = m_dir.filePath(name + QStringLiteral(".jsonl")))
                                 : gateway.startServe(profile, { QStringLiteral("--quiet") });
    if (!started) {
        qWarning("upstream %s did not start: %s", qPrintable(name), gateway.stderrText().constData());
    }
    return started;
}

bool TestHttpsUpstreams::startFront(GatehouseProcess &gateway, const QString &name, const QByteArray &targets,
                                    const QByteArray &tls, const QByteArray &upstreamExtra, const QByteArray &routeExtra)
{
    const QString profile = writeFile(m_dir, name + QStringLiteral(".yaml"),
                                      "gatehouse: 1\nname: " + name.toUtf8()
                                          + "\nlisten:\n  - bind: 127.0.0.1:0\nupstreams:\n  - name: u\n    targets: ["
                                          + targets + "]\n" + (tls.isEmpty() ? QByteArray() : "    " + tls + '\n')
                                          + upstreamExtra
                                          + "routes:\n  - name: all\n    match: { path: / }\n    upstream: u\n" + routeExtra);
    if (!gateway.startServe(profile, { QStringLiteral("--quiet") })) {
        qWarning("gateway %s did not start: %s", qPrintable(name), gateway.stderrText().constData());
        return false;
    }
    return true;
}

void TestHttpsUpstreams::verification_data()
{
    QTest::addColumn<QByteArray>("host"); // of the target URL
    QTest::addColumn<QByteArray>("tls");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason"); // after "certificate verify failed: "

    QTest::newRow("ca file") << QByteArray("localhost") << QByteArray("tls: { ca: caA.pem }") << 200 << QByteArray();
    QTest::newRow("ca file, IP target") << QByteArray("127.0.0.1") << QByteArray("tls: { ca: caA.pem, verify: true }") << 200
                                        << QByteArray();
    QTest::newRow("system store") << QByteArray("localhost") << QByteArray() << 502
                                  << QByteArray("unable to get local issuer certificate");
    QTest::newRow("another ca") << QByteArray("localhost") << QByteArray("tls: { ca: caB.pem }") << 502
                                << QByteArray("unable to get local issuer certificate");
    QTest::newRow("verify off") << QByteArray("localhost") << QByteArray("tls: { verify: false }") << 200 << QByteArray();
    QTest::newRow("verify off, another ca") << QByteArray("localhost") << QByteArray("tls: { ca: caB.pem, verify: false }") << 200
                                            << QByteArray();
    QTest::newRow("wrong server_name") << QByteArray("localhost") << QByteArray("tls: { ca: caA.pem, server_name: wrong.test }")
                                       << 502 << QByteArray("hostname mismatch");
    // The default certificate does not name a.test: only SNI a.test gets the one that does.
    QTest::newRow("server_name chooses the SNI certificate")
        << QByteArray("localhost") << QByteArray("tls: { ca: caA.pem, server_name: a.test }") << 200 << QByteArray();
    QTest::newRow("server_name for an IP target")
        << QByteArray("127.0.0.1") << QByteArray("tls: { ca: caA.pem, server_name: a.test }") << 200 << QByteArray();
}

void TestHttpsUpstreams::verification()
{
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, tls);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);

    GatehouseProcess gateway;
    const QByteArray url = upstreamUrl(host.constData());
    QVERIFY(startFront(gateway, QStringLiteral("verify"), "{ url: \"" + url + "\" }", tls));
    const QByteArray requestId = "verify-" + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    const std::optional<HttpResponse> response = oneRequest(gateway.port(), "GET", "/checked?x=1", requestId);
    QVERIFY(response);
    QVERIFY2(response->status == status, response->body.constData());
    if (status == 200) {
        QCOMPARE(field(response->body, "name"), QStringLiteral("echo"));
        QCOMPARE(field(response->body, "path"), QStringLiteral("/checked"));
        // The HTTPS gateway in between tells the echo it was reached over TLS.
        QCOMPARE(seenHeader(response->body, "x-forwarded-proto"), QStringLiteral("https"));
    } else {
        QCOMPARE(response->header("content-type"), QByteArray("application/json"));
        QCOMPARE(errorOf(*response), QStringLiteral("upstream_tls_failed"));
        const QString message = json(response->body).value(QStringLiteral("message")).toString();
        QCOMPARE(message, QStringLiteral("TLS with upstream u (%1) failed: certificate verify failed: %2")
                              .arg(QString::fromLatin1(url), QString::fromLatin1(reason)));
        QVERIFY2(gateway.waitForStderr("certificate verify failed", 3000), gateway.stderrText().constData());
    }
    if (tls.contains("verify: false")) {
        // The warning is written after the "listening on" line the test waits for, so it may still be in the pipe.
        QVERIFY2(gateway.waitForStderr("warning: upstream u: TLS certificate verification is off", 3000),
                 gateway.stderrText().constData());
    } else {
        QVERIFY2(!gateway.stderrText().contains("verification is off"), gateway.stderrText().constData());
    }
    QCOMPARE(gateway.terminate(), 0);
    // Nothing but the handshake reached the upstream when verification failed.
    QCOMPARE(upstreamLogged(requestId, status == 200 ? 5000 : 600), status == 200);
}

void TestHttpsUpstreams::pooledConnectionsAreReused()
{
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("pool"), "{ url: \"" + upstreamUrl("localhost") + "\" }", "tls: { ca: caA.pem }"));
    // 50 sequential requests on one client connection.
    RawConnection connection;
    QVERIFY(connection.open(gateway.port()));
    for (int i = 0; i < 50; ++i) {
        const auto response = connection.roundTrip("GET", "/seq/" + QByteArray::number(i), { { "X-Request-ID", "pool-seq-" + QByteArray::number(i) } });
        QVERIFY2(response, qPrintable(QStringLiteral("request %1").arg(i)));
        QCOMPARE(response->status, 200);
        QCOMPARE(field(response->body, "path"), QStringLiteral("/seq/%1").arg(i));
    }
    // 4 clients at once, 15 requests each on connections of their own.
    std::atomic<int> ok { 0 };
    QVERIFY(runClientThreads(
        4,
        [&](int client) {
            for (int i = 0; i < 15; ++i) {
                const auto response = oneRequest(gateway.port(), "GET", "/par",
                                                 QStringLiteral("pool-par-%1-%2").arg(client).arg(i).toLatin1(), {}, 5000);
                if (response && response->status == 200 && field(response->body, "name") == QLatin1String("echo")) {
                    ++ok;
                }
            }
        },
        30000));
    QCOMPARE(ok.load(), 60);

    // The upstream saw all 110 from a few kept-alive TLS connections, not one each.
    QList<QJsonObject> lines;
    QDeadlineTimer deadline(5000);
    QSet<QString> clients;
    int seen = 0;
    while (!deadline.hasExpired()) {
        lines = readAccessLog(m_upstreamLog);
        clients.clear();
        seen = 0;
        for (const QJsonObject &line : std::as_const(lines)) {
            if (line.value(QStringLiteral("request_id")).toString().startsWith(QLatin1String("pool-"))) {
                ++seen;
                clients.insert(line.value(QStringLiteral("client")).toString());
            }
        }
        if (seen >= 110) {
            break;
        }
        QTest::qWait(50);
    }
    QCOMPARE(seen, 110);
    QVERIFY2(clients.size() <= 8, qPrintable(QStringList(clients.cbegin(), clients.cend()).join(u' ')));
    qInfo("110 requests reached the upstream over %lld TLS connections", qint64(clients.size()));
    QCOMPARE(gateway.terminate(), 0);
}

void TestHttpsUpstreams::largeBodiesBothWays()
{
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("large"), "{ url: \"" + upstreamUrl("localhost") + "\" }", "tls: { ca: caA.pem }"));
    RawConnection connection;
    QVERIFY(connection.open(gateway.port()));
    QByteArray body(100 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i) {
        body[i] = char('a' + (i * 7) % 26);
    }
    auto response = connection.roundTrip("POST", "/upload", {}, body, 15000);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(json(response->body).value(QStringLiteral("body_length")).toInt(), int(body.size()));
    QCOMPARE(field(response->body, "body_sha256").toLatin1(), QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());

    // 6 MiB down through the same pooled upstream connection, then a request after it.
    response = connection.roundTrip("GET", "/_echo/bytes/6291456", {}, {}, 30000);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body.size(), qsizetype(6291456));
    const char pattern[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    for (qsizetype i = 0; i < response->body.size(); i += 4093) {
        QCOMPARE(response->body.at(i), pattern[i % 64]);
    }
    QCOMPARE(response->body.right(1).at(0), pattern[(6291456 - 1) % 64]);
    response = connection.roundTrip("GET", "/_echo/chunked/300000", {}, {}, 15000);
    QVERIFY(response);
    QCOMPARE(response->body.size(), qsizetype(300000));
    response = connection.roundTrip("GET", "/after");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHttpsUpstreams::failedHandshakeRetriesOnAnotherTarget()
{
    // The first target is the plain echo addressed as https: its handshake fails, and the request
    // is retried on the good target; alone, that target answers 502 upstream_tls_failed.
    const QByteArray plainAsHttps = "https://127.0.0.1:" + portOf(m_echo);
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("retry"),
                       "{ url: \"" + plainAsHttps + "\" }, { url: \"" + upstreamUrl("localhost") + "\" }",
                       "tls: { ca: caA.pem }", {}, "    retries: 1\n"));
    for (int i = 0; i < 4; ++i) {
        const auto response = oneRequest(gateway.port(), "GET", "/retried");
        QVERIFY(response);
        QVERIFY2(response->status == 200, response->body.constData());
        QCOMPARE(field(response->body, "name"), QStringLiteral("echo"));
    }
    QCOMPARE(gateway.terminate(), 0);

    GatehouseProcess alone;
    QVERIFY(startFront(alone, QStringLiteral("alone"), "{ url: \"" + plainAsHttps + "\" }", "tls: { ca: caA.pem }"));
    const auto response = oneRequest(alone.port(), "GET", "/plain");
    QVERIFY(response);
    QCOMPARE(response->status, 502);
    QCOMPARE(errorOf(*response), QStringLiteral("upstream_tls_failed"));
    const QString message = json(response->body).value(QStringLiteral("message")).toString();
    QVERIFY2(message.startsWith(QStringLiteral("TLS with upstream u (%1) failed: ").arg(QString::fromLatin1(plainAsHttps))),
             qPrintable(message));
    qInfo("a plain HTTP target addressed as https: %s", qPrintable(message));
    QCOMPARE(alone.process().state(), QProcess::Running);
    QCOMPARE(alone.terminate(), 0);
}

void TestHttpsUpstreams::healthChecksVerifyToo()
{
    const QByteArray check = "    health_check: { path: /health, interval: 200ms, timeout: 200ms, healthy_after: 1, unhealthy_after: 1 }\n";
    const QByteArray unhealthy = "target " + upstreamUrl("localhost") + " is unhealthy";
    GatehouseProcess trusted;
    QVERIFY(startFront(trusted, QStringLiteral("health-a"), "{ url: \"" + upstreamUrl("localhost") + "\" }",
                       "tls: { ca: caA.pem }", check));
    GatehouseProcess untrusted;
    QVERIFY(startFront(untrusted, QStringLiteral("health-b"), "{ url: \"" + upstreamUrl("localhost") + "\" }",
                       "tls: { ca: caB.pem }", check));
    QVERIFY2(untrusted.waitForStderr(unhealthy, 3000), untrusted.stderrText().constData());
    const auto refused = oneRequest(untrusted.port(), "GET", "/h");
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    // Several intervals later the trusted one is still healthy and answering.
    QVERIFY2(!trusted.waitForStderr(unhealthy, 1000), trusted.stderrText().constData());
    const auto response = oneRequest(trusted.port(), "GET", "/h");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(trusted.terminate(), 0);
    QCOMPARE(untrusted.terminate(), 0);
}

void TestHttpsUpstreams::pooledConnectionClosedByUpstream()
{
    // The upstream closes idle connections after 300 ms (a TLS close_notify, then FIN): a pooled
    // connection it closed is never used for the next request.
    GatehouseProcess upstream;
    QVERIFY(startTlsUpstream(upstream, QStringLiteral("impatient"), nullptr, "limits: { idle_timeout: 300ms }\n"));
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("patient"), "{ url: \"https://localhost:" + QByteArray::number(upstream.port()) + "\" }",
                       "tls: { ca: caA.pem }"));
    RawConnection connection;
    QVERIFY(connection.open(gateway.port()));
    for (int i = 0; i < 4; ++i) {
        const auto response = connection.roundTrip("GET", "/idle/" + QByteArray::number(i));
        QVERIFY(response);
        QVERIFY2(response->status == 200, response->body.constData());
        QTest::qWait(700);
    }
    // POST is not retried after a failure on a reused connection: it must not meet a dead one.
    const auto post = connection.roundTrip("POST", "/idle/post", {}, "body");
    QVERIFY(post);
    QVERIFY2(post->status == 200, post->body.constData());
    QCOMPARE(gateway.terminate(), 0);
}

void TestHttpsUpstreams::poolsAreSeparatePerTlsSetting()
{
    // Two upstreams on the same target: one trusts anything, one verifies against CA B (which
    // fails) or checks another name. A connection kept by the lenient one is never handed to a
    // strict one, on the same worker, in either order.
    const QByteArray target = "[{ url: \"" + upstreamUrl("localhost") + "\" }]";
    const QString profile = writeFile(m_dir, QStringLiteral("separate.yaml"),
                                      "gatehouse: 1\nname: separate\nlisten:\n  - bind: 127.0.0.1:0\nupstreams:\n"
                                      "  - { name: lenient, targets: " + target + ", tls: { verify: false } }\n"
                                      "  - { name: strict, targets: " + target + ", tls: { ca: caB.pem } }\n"
                                      "  - { name: named, targets: " + target + ", tls: { ca: caA.pem, server_name: wrong.test } }\n"
                                      "  - { name: right, targets: " + target + ", tls: { ca: caA.pem } }\n"
                                      "routes:\n"
                                      "  - { name: l, match: { path: /lenient }, upstream: lenient }\n"
                                      "  - { name: s, match: { path: /strict }, upstream: strict }\n"
                                      "  - { name: n, match: { path: /named }, upstream: named }\n"
                                      "  - { name: r, match: { path: /right }, upstream: right }\n");
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(profile, { QStringLiteral("--quiet") }), gateway.stderrText().constData());
    RawConnection connection; // one client connection: one worker, one set of pools
    QVERIFY(connection.open(gateway.port()));
    for (int round = 0; round < 3; ++round) {
        for (const char *path : { "/lenient", "/right", "/strict", "/named" }) {
            const auto response = connection.roundTrip("GET", path);
            QVERIFY2(response, path);
            const bool shouldPass = qstrcmp(path, "/lenient") == 0 || qstrcmp(path, "/right") == 0;
            QVERIFY2(response->status == (shouldPass ? 200 : 502), qPrintable(QLatin1String(path) + QLatin1Char(' ')
                                                                               + QString::fromUtf8(response->body)));
            if (!shouldPass) {
                QCOMPARE(errorOf(*response), QStringLiteral("upstream_tls_failed"));
                // An error answer closes the client connection; open the next one.
                connection.socket().abort();
                connection.buffer().clear();
                QVERIFY(connection.open(gateway.port()));
            }
        }
    }
    QCOMPARE(gateway.terminate(), 0);
}

void TestHttpsUpstreams::intermediateChainVerifies()
{
    // The upstream sends its leaf and an intermediate; the gateway trusts only the root (CA A).
    const QString dir = m_dir.path();
    QVERIFY(makeTestIntermediate(dir, QStringLiteral("interA"), QStringLiteral("caA"), QStringLiteral("Intermediate A")));
    QVERIFY(makeTestLeaf(dir, QStringLiteral("leafI"), QStringLiteral("interA"), QStringLiteral("localhost"),
                         { QStringLiteral("DNS:localhost") }));
    QVERIFY(concatenateFiles(dir, QStringLiteral("leafI-chain.pem"), { QStringLiteral("leafI.pem"), QStringLiteral("interA.pem") }));
    const QString profile = writeFile(m_dir, QStringLiteral("chain-upstream.yaml"),
                                      "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:0\n    tls: { cert: leafI-chain.pem, key: leafI-key.pem }\n"
                                      "upstreams:\n  - name: echo\n    targets: [{ url: \"http://127.0.0.1:"
                                          + portOf(m_echo) + "\" }]\nroutes:\n  - { name: all, match: { path: / }, upstream: echo }\n");
    GatehouseProcess upstream;
    QVERIFY2(upstream.startServe(profile, { QStringLiteral("--quiet") }), upstream.stderrText().constData());
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("chain-front"), "{ url: \"https://localhost:" + QByteArray::number(upstream.port()) + "\" }",
                       "tls: { ca: caA.pem }"));
    const auto response = oneRequest(gateway.port(), "GET", "/chained");
    QVERIFY(response);
    QVERIFY2(response->status == 200, response->body.constData());
    QCOMPARE(field(response->body, "path"), QStringLiteral("/chained"));
    QCOMPARE(gateway.terminate(), 0);
    QCOMPARE(upstream.terminate(), 0);
}

void TestHttpsUpstreams::stalledUpstreamHandshake()
{
    // A target whose TCP connect succeeds (the kernel's backlog) but that never answers the
    // ClientHello: connect_timeout covers the handshake too.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("stalled-upstream"),
                       "{ url: \"https://127.0.0.1:" + QByteArray::number(silent.serverPort()) + "\" }", "tls: { ca: caA.pem }",
                       "    connect_timeout: 500ms\n"));
    QElapsedTimer clock;
    clock.start();
    const auto response = oneRequest(gateway.port(), "GET", "/stalled");
    const qint64 elapsed = clock.elapsed();
    QVERIFY(response);
    QVERIFY2(response->status == 503 || response->status == 502 || response->status == 504, response->body.constData());
    QVERIFY2(elapsed >= 450 && elapsed < 3000, qPrintable(QString::number(elapsed)));
    qInfo("a stalled upstream handshake: %d %s after %lld ms", response->status, response->body.constData(), elapsed);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHttpsUpstreams::upstreamKilled()
{
    GatehouseProcess upstream;
    QVERIFY(startTlsUpstream(upstream, QStringLiteral("doomed")));
    const QByteArray url = "https://localhost:" + QByteArray::number(upstream.port());
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("killed"), "{ url: \"" + url + "\" }", "tls: { ca: caA.pem }"));
    RawConnection connection;
    QVERIFY(connection.open(gateway.port()));
    for (int i = 0; i < 3; ++i) {
        const auto response = connection.roundTrip("GET", "/alive");
        QVERIFY(response);
        QCOMPARE(response->status, 200); // leaves a pooled TLS connection behind
    }

    upstream.process().kill();
    QVERIFY(upstream.process().waitForFinished(5000));
    // The pooled connection is dead and nothing listens any more: as for a plain upstream.
    for (int i = 0; i < 3; ++i) {
        const auto response = oneRequest(gateway.port(), "GET", "/dead");
        QVERIFY(response);
        QVERIFY2(response->status == 502 || response->status == 503, response->body.constData());
        QVERIFY2(errorOf(*response) == QLatin1String("upstream_unavailable") || errorOf(*response) == QLatin1String("bad_gateway"),
                 response->body.constData());
        qInfo("after the kill: %d %s", response->status, qPrintable(errorOf(*response)));
    }
    const auto post = oneRequest(gateway.port(), "POST", "/dead", {}, QByteArray(100 * 1024, 'p'));
    QVERIFY(post);
    QVERIFY2(post->status == 502 || post->status == 503, post->body.constData());
    QCOMPARE(gateway.process().state(), QProcess::Running);
    QCOMPARE(gateway.terminate(), 0);
}

void TestHttpsUpstreams::badChunkWhileUpstreamHandshakes()
{
    // The head goes upstream at once, the body waits for the connection: the invalid chunk size
    // is read only when the TLS handshake completes, from inside the upstream socket's callback,
    // and the 400 it gets releases that socket there. The socket must outlive its callback (it
    // used to be freed while the handshake code still read it: ASan heap-use-after-free).
    GatehouseProcess gateway;
    QVERIFY(startFront(gateway, QStringLiteral("bad-chunk"), "{ url: \"" + upstreamUrl("localhost") + "\" }",
                       "tls: { ca: caA.pem }"));
    for (int i = 0; i < 5; ++i) {
        RawConnection connection;
        QVERIFY(connection.open(gateway.port()));
        // One write: the head and the bad chunk arrive together, before the upstream connect.
        connection.send("POST /bad-chunk HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "zz\r\nhello\r\n0\r\n\r\n");
        const auto response = connection.readFinal(10000);
        if (!response) {
            gateway.process().waitForFinished(3000); // a crash: its sanitizer report is the message
            QFAIL(gateway.stderrText().constData());
        }
        QCOMPARE(response->status, 400);
        QCOMPARE(errorOf(*response), QStringLiteral("bad_request"));
        QVERIFY(connection.waitForClose());
    }
    // The gateway lived through it and still proxies over TLS.
    const auto response = oneRequest(gateway.port(), "GET", "/after-bad-chunk");
    QVERIFY2(response, gateway.stderrText().constData());
    QCOMPARE(response->status, 200);
    QVERIFY2(gateway.process().state() == QProcess::Running, gateway.stderrText().constData());
    QCOMPARE(gateway.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestHttpsUpstreams)
#include "TestHttpsUpstreams.moc"
