// GET /metrics through `gatehouse serve`, read by a real Prometheus text-format parser (Debian's
// python3-prometheus-client): after known traffic the counters, histograms and gauges hold
// exactly what was sent.

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

const QByteArray kToken = "metrics-admin-token-0123456789";

struct Sample
{
    QString name;
    QJsonObject labels;
    double value = 0;
};

// The exposition parsed by prometheus_client's own parser; its samples as JSON.
QList<Sample> parsePrometheus(const QByteArray &text)
{
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"),
                 { QStringLiteral("-c"),
                   QStringLiteral("import sys, json\n"
                                  "from prometheus_client.parser import text_string_to_metric_families\n"
                                  "out = [[s.name, s.labels, s.value] for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]\n"
                                  "print(json.dumps(out))") });
    python.write(text);
    python.closeWriteChannel();
    if (!python.waitForFinished(30000) || python.exitCode() != 0) {
        qWarning("the Prometheus parser refused the text: %s", python.readAllStandardError().constData());
        return {};
    }
    QList<Sample> samples;
    for (const QJsonValue &item : QJsonDocument::fromJson(python.readAllStandardOutput()).array()) {
        const QJsonArray row = item.toArray();
        samples.append({ row[0].toString(), row[1].toObject(), row[2].toDouble() });
    }
    return samples;
}

double valueOf(const QList<Sample> &samples, const QString &name, const QJsonObject &labels)
{
    for (const Sample &sample : samples) {
        bool match = sample.name == name;
        for (auto it = labels.begin(); match && it != labels.end(); ++it) {
            match = sample.labels.value(it.key()) == it.value();
        }
        if (match) {
            return sample.value;
        }
    }
    return -1;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsAfterKnownTraffic();
};

void TestMetrics::countsAfterKnownTraffic()
{
    QTemporaryDir dir;
    GatehouseProcess echo;
    QVERIFY2(echo.startEcho(QStringLiteral("echo")), echo.stderrText().constData());
    writeFile(dir, QStringLiteral("admin.token"), kToken);
    writeFile(dir, QStringLiteral("jwt.secret"), "metrics-jwt-secret-0123456789abcdef");
    const QByteArray profile = echoProfile("metrics", echo.url(),
                                           "  - { name: a, match: { path: /a }, respond: { status: 200, body: a } }\n"
                                           "  - { name: limited, match: { path: /limited }, respond: { status: 200 }, rate_limit: [one] }\n"
                                           "  - { name: private, match: { path: /private }, respond: { status: 200 }, auth: hs }\n"
                                           "  - { name: echo, match: { path: /echo }, upstream: echo }\n",
                                           "admin: { bind: 127.0.0.1:0, token: file:admin.token }\n"
                                           "jwt:\n"
                                           "  - { name: hs, algorithms: [HS256], secret: file:jwt.secret }\n"
                                           "rate_limits:\n"
                                           "  - { name: one, requests: 1, per: 1m, key: route }\n");
    GatehouseProcess gateway;
    QVERIFY2(startServeWithAccessLog(gateway, writeFile(dir, QStringLiteral("metrics.yaml"), profile), dir.filePath(QStringLiteral("log"))),
             gateway.stderrText().constData());
    const QString admin = gateway.adminUrl();
    QVERIFY(!admin.isEmpty());

    RawConnection c;
    QVERIFY(c.open(gateway.port()));
    const auto statusOf = [&c](const QByteArray &method, const QByteArray &path, const QList<std::pair<QByteArray, QByteArray>> &headers = {}) {
        const auto response = c.roundTrip(method, path, headers);
        return response ? response->status : 0;
    };
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(statusOf("GET", "/a"), 200);
    }
    QCOMPARE(statusOf("POST", "/a"), 200);
    QCOMPARE(statusOf("PROPFIND", "/a"), 200); // counted as OTHER: methods never mint new series
    QCOMPARE(statusOf("GET", "/nowhere"), 404);
    QCOMPARE(statusOf("GET", "/limited"), 200);
    QCOMPARE(statusOf("GET", "/limited"), 429);
    QCOMPARE(statusOf("GET", "/limited"), 429);
    QCOMPARE(statusOf("GET", "/private"), 401);
    QCOMPARE(statusOf("GET", "/private", { { "Authorization", "Bearer x.y" } }), 401);
    QCOMPARE(statusOf("GET", "/echo"), 200);
    QCOMPARE(statusOf("GET", "/echo"), 200);

    QNetworkAccessManager manager;
    QCOMPARE(qnam(manager, "GET", admin + QStringLiteral("/metrics")).status, 401);
    QList<Sample> samples;
    // Counted when each request's last byte has gone, a moment after the client has it.
    QTRY_VERIFY_WITH_TIMEOUT(
        (samples = parsePrometheus(qnam(manager, "GET", admin + QStringLiteral("/metrics"), { { "Authorization", "Bearer " + kToken } }).body),
         valueOf(samples, QStringLiteral("gatehouse_request_duration_seconds_count"), { { QStringLiteral("route"), QStringLiteral("echo") } }) == 2),
        5000);
    const auto requests = [&samples](const char *route, const char *method, const char *status) {
        return valueOf(samples, QStringLiteral("gatehouse_requests_total"),
                       { { QStringLiteral("route"), QLatin1String(route) }, { QStringLiteral("method"), QLatin1String(method) },
                         { QStringLiteral("status"), QLatin1String(status) } });
    };
    QCOMPARE(requests("a", "GET", "200"), 3.0);
    QCOMPARE(requests("a", "POST", "200"), 1.0);
    QCOMPARE(requests("a", "OTHER", "200"), 1.0);
    QCOMPARE(requests("", "GET", "404"), 1.0);
    QCOMPARE(requests("limited", "GET", "429"), 2.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_rate_limited_total"), { { QStringLiteral("route"), QStringLiteral("limited") } }), 2.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_jwt_failures_total"),
                     { { QStringLiteral("profile"), QStringLiteral("hs") }, { QStringLiteral("reason"), QStringLiteral("missing_token") } }),
             1.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_jwt_failures_total"),
                     { { QStringLiteral("profile"), QStringLiteral("hs") }, { QStringLiteral("reason"), QStringLiteral("malformed") } }),
             1.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_request_duration_seconds_count"), { { QStringLiteral("route"), QStringLiteral("a") } }), 5.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_request_duration_seconds_bucket"),
                     { { QStringLiteral("route"), QStringLiteral("a") }, { QStringLiteral("le"), QStringLiteral("+Inf") } }),
             5.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_upstream_duration_seconds_count"), { { QStringLiteral("route"), QStringLiteral("echo") } }), 2.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_upstream_duration_seconds_count"), { { QStringLiteral("route"), QStringLiteral("a") } }), 0.0);
    QCOMPARE(valueOf(samples, QStringLiteral("gatehouse_upstream_healthy"),
                     { { QStringLiteral("upstream"), QStringLiteral("echo") }, { QStringLiteral("target"), QStringLiteral("http://127.0.0.1:") + QString::number(echo.port()) } }),
             1.0);
    QVERIFY(valueOf(samples, QStringLiteral("gatehouse_active_connections"), {}) >= 1); // ours, still open
    QVERIFY(valueOf(samples, QStringLiteral("process_resident_memory_bytes"), {}) > 1e6);
    QVERIFY(valueOf(samples, QStringLiteral("process_cpu_seconds_total"), {}) >= 0); // present; ticks are 10 ms
    QVERIFY(valueOf(samples, QStringLiteral("process_open_fds"), {}) > 3);
    QCOMPARE(gateway.terminate(), 0);
    echo.terminate();
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "TestMetrics.moc"
