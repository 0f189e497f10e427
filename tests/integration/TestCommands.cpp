// The command line of the real `gatehouse` binary (README "Command line", SPEC §1 and §6):
// exit codes, messages, `check`/`export` output, `echo` options, and `serve`'s access log,
// signals and reloads, each against real processes on loopback ports.

#include <csignal>

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "tests/support/TestSupport.h"

using namespace gatehouse::test;

namespace {

QString sourceFile(const QString &relative)
{
    return qEnvironmentVariable("GATEHOUSE_SOURCE_DIR") + QLatin1Char('/') + relative;
}

// One request on its own connection ("Connection: close"); the single parsed response.
HttpResponse request(quint16 port, const QByteArray &method, const QByteArray &target,
                     const QByteArray &extraHeaders = {}, const QByteArray &body = {}, int timeoutMs = 5000)
{
    QByteArray raw = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extraHeaders;
    if (!body.isEmpty() || method == "POST") {
        raw += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    raw += "\r\n" + body;
    const QList<HttpResponse> responses = parseResponses(rawExchange(port, raw, timeoutMs));
    return responses.value(0);
}

QByteArray upstreamProfile(quint16 echoPort, const QByteArray &extraRoutes = {})
{
    return "gatehouse: 1\n"
           "name: commands\n"
           "listen:\n"
           "  - bind: 127.0.0.1:0\n"
           "upstreams:\n"
           "  - name: echo\n"
           "    targets:\n"
           "      - url: http://127.0.0.1:"
        + QByteArray::number(echoPort)
        + "\n"
          "routes:\n"
          "  - name: api\n"
          "    match: { path: /api }\n"
          "    upstream: echo\n"
          "  - name: scripts\n"
          "    match: { path: /_echo }\n"
          "    upstream: echo\n"
        + extraRoutes;
}

// Lines "FILE:LINE:COL: message" with FILE exactly `file`.
bool allProblemLines(const QByteArray &text, const QString &file, int *count)
{
    const QRegularExpression line(QStringLiteral("^%1:(\\d+):(\\d+): \\S.*$").arg(QRegularExpression::escape(file)));
    *count = 0;
    const QList<QByteArray> lines = text.trimmed().split('\n');
    for (const QByteArray &l : lines) {
        if (!line.match(QString::fromUtf8(l)).hasMatch()) {
            qWarning("not a FILE:LINE:COL line: %s", l.constData());
            return false;
        }
        ++*count;
    }
    return *count > 0;
}

bool portFree(quint16 port)
{
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, port);
}

// Polls until stdout holds `lines` complete lines (or the timeout passes).
QList<QByteArray> waitForLines(GatehouseProcess &process, int lines, int timeoutMs = 3000)
{
    QElapsedTimer clock;
    clock.start();
    QList<QByteArray> out;
    while (clock.elapsed() < timeoutMs) {
        out = process.stdoutText().split('\n');
        out.removeAll(QByteArray());
        if (out.size() >= lines) {
            break;
        }
    }
    return out;
}

const char kBadProfile[] = "gatehouse: 1\n"
                           "name: bad\n"
                           "listen:\n"
                           "  - bind: 127.0.0.1:notaport\n"
                           "bogus_key: 1\n";

} // namespace

class TestCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void version();
    void help();
    void unknownOption();
    void checkDefaultProfile();
    void checkBadProfileReportsPositions();
    void exportYamlRechecks();
    void exportToFileRechecks();
    void exportNginxAndKong();
    void exportUnknownFormat();
    void echoAnswersJson();
    void echoDelay();
    void echoFailRate();
    void echoBadDelay();
    void echoPortInUse();
    void servePortInUse();
    void serveInvalidProfile();
    void serveAccessLog();
    void serveQuiet();
    void sigtermDrainsInFlight();
    void sighupReload();
    void serveDefaultProfile();

private:
    QTemporaryDir m_dir;
    GatehouseProcess m_echo;
};

void TestCommands::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(!qEnvironmentVariable("GATEHOUSE_SOURCE_DIR").isEmpty());
    QVERIFY2(m_echo.startEcho(QStringLiteral("shared")), m_echo.stderrText().constData());
}

void TestCommands::cleanupTestCase()
{
    QCOMPARE(m_echo.terminate(), 0);
}

void TestCommands::version()
{
    QByteArray out;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("--version") }, &out), 0);
    QVERIFY2(QRegularExpression(QStringLiteral("^gatehouse \\d+\\.\\d+\\.\\d+")).match(QString::fromUtf8(out)).hasMatch(),
             out.constData());
}

void TestCommands::help()
{
    QByteArray out;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("--help") }, &out), 0);
    for (const char *word : { "Usage", "serve", "check", "export", "echo", "Exit codes" }) {
        QVERIFY2(out.contains(word), word);
    }
}

void TestCommands::unknownOption()
{
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("--no-such-option") }, &out, &err), 1);
    QVERIFY2(err.contains("--no-such-option"), err.constData());
    // Unknown options of the commands, too.
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), sourceFile(QStringLiteral("profiles/default.yaml")),
                                     QStringLiteral("--bogus") },
                                   &out, &err),
             1);
    QVERIFY2(err.contains("--bogus"), err.constData());
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check") }, &out, &err), 1);
}

void TestCommands::checkDefaultProfile()
{
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), sourceFile(QStringLiteral("profiles/default.yaml")) }, &out, &err), 0);
    QCOMPARE(out.trimmed(), QByteArray("ok"));
}

void TestCommands::checkBadProfileReportsPositions()
{
    writeFile(m_dir, QStringLiteral("bad.yaml"), kBadProfile);
    // FILE is echoed exactly as given: relative, "./"-prefixed and absolute forms.
    const QStringList forms { QStringLiteral("bad.yaml"), QStringLiteral("./bad.yaml"), m_dir.filePath(QStringLiteral("bad.yaml")) };
    for (const QString &file : forms) {
        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        process.start(gatehouseBinary(), { QStringLiteral("check"), file });
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 1);
        const QByteArray out = process.readAllStandardOutput();
        int count = 0;
        QVERIFY2(allProblemLines(out, file, &count), out.constData());
        QCOMPARE(count, 2);
        // 1-based; the bad value (col 11) and the unknown key (col 1).
        QVERIFY2(out.contains((file + QStringLiteral(":4:11: ")).toUtf8()), out.constData());
        QVERIFY2(out.contains((file + QStringLiteral(":5:1: ")).toUtf8()), out.constData());
        QVERIFY2(out.contains("bogus_key"), out.constData());
    }
}

void TestCommands::exportYamlRechecks()
{
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), sourceFile(QStringLiteral("profiles/default.yaml")),
                                     QStringLiteral("--format"), QStringLiteral("yaml") },
                                   &out, &err),
             0);
    QVERIFY(out.contains("gatehouse: 1"));
    const QString exported = writeFile(m_dir, QStringLiteral("exported.yaml"), out);
    QByteArray checkOut;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), exported }, &checkOut, &err), 0);
    QCOMPARE(checkOut.trimmed(), QByteArray("ok"));
    // Canonical: exporting the export gives the same text.
    QByteArray again;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), exported, QStringLiteral("--format"), QStringLiteral("yaml") }, &again), 0);
    QCOMPARE(again, out);
}

void TestCommands::exportToFileRechecks()
{
    const QString output = m_dir.filePath(QStringLiteral("out.yaml"));
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), sourceFile(QStringLiteral("profiles/default.yaml")),
                                     QStringLiteral("--format"), QStringLiteral("yaml"), QStringLiteral("-o"), output },
                                   &out, &err),
             0);
    QVERIFY2(out.isEmpty(), out.constData());
    QFile file(output);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("gatehouse: 1"));
    QByteArray checkOut;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), output }, &checkOut, &err), 0);
    QCOMPARE(checkOut.trimmed(), QByteArray("ok"));
}

// SPEC §7.9: the config on stdout (or atomically in -o), one stderr warning per feature the
// target cannot express, exit 0. tests/export checks the configs themselves.
void TestCommands::exportNginxAndKong()
{
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), sourceFile(QStringLiteral("profiles/default.yaml")),
                                     QStringLiteral("--format"), QStringLiteral("nginx") },
                                   &out, &err),
             0);
    QVERIFY2(out.contains("upstream users {") && out.contains("location = \"/hello\""), out.constData());
    const QList<QByteArray> warnings = err.trimmed().split('\n');
    QVERIFY2(!warnings.isEmpty(), err.constData());
    for (const QByteArray &line : warnings) {
        QVERIFY2(line.startsWith("gatehouse: warning: export nginx: not exported: "), line.constData());
    }
    QVERIFY2(err.contains("health_check"), err.constData());

    const QString output = m_dir.filePath(QStringLiteral("kong.yaml"));
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), sourceFile(QStringLiteral("profiles/default.yaml")),
                                     QStringLiteral("--format"), QStringLiteral("kong"), QStringLiteral("-o"), output },
                                   &out, &err),
             0);
    QVERIFY(out.isEmpty());
    QFile file(output);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("_format_version: \"3.0\""));
}

void TestCommands::exportUnknownFormat()
{
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("export"), sourceFile(QStringLiteral("profiles/default.yaml")),
                                     QStringLiteral("--format"), QStringLiteral("envoy") },
                                   &out, &err),
             1);
    QVERIFY2(err.contains("unknown format envoy"), err.constData());
    QVERIFY(out.isEmpty());
}

void TestCommands::echoAnswersJson()
{
    GatehouseProcess echo;
    QVERIFY2(echo.startEcho(QStringLiteral("alpha")), echo.stderrText().constData());
    QVERIFY(echo.stderrText().contains("gatehouse: echo alpha listening on 127.0.0.1:" + QByteArray::number(echo.port())));
    const QByteArray body = "hello world";
    const HttpResponse response = request(echo.port(), "POST", "/some/path?x=1&y=2", "X-Custom: yes\r\n", body);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), QByteArray("application/json"));
    const QJsonObject json = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(json.value(QStringLiteral("name")).toString(), QStringLiteral("alpha"));
    QCOMPARE(json.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(json.value(QStringLiteral("path")).toString(), QStringLiteral("/some/path"));
    QCOMPARE(json.value(QStringLiteral("query")).toString(), QStringLiteral("x=1&y=2"));
    QCOMPARE(json.value(QStringLiteral("headers")).toObject().value(QStringLiteral("x-custom")).toString(), QStringLiteral("yes"));
    QCOMPARE(json.value(QStringLiteral("body_length")).toInt(), int(body.size()));
    QCOMPARE(json.value(QStringLiteral("body_sha256")).toString().toLatin1(),
             QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    QCOMPARE(echo.terminate(), 0);
}

void TestCommands::echoDelay()
{
    GatehouseProcess echo;
    QVERIFY2(echo.startEcho(QStringLiteral("slow"), { QStringLiteral("--delay"), QStringLiteral("200ms") }),
             echo.stderrText().constData());
    for (int i = 0; i < 2; ++i) {
        QElapsedTimer clock;
        clock.start();
        const HttpResponse response = request(echo.port(), "GET", "/");
        const qint64 elapsed = clock.elapsed();
        QCOMPARE(response.status, 200);
        QVERIFY2(elapsed >= 195 && elapsed < 2000, QByteArray::number(elapsed).constData());
    }
}

void TestCommands::echoFailRate()
{
    GatehouseProcess echo;
    QVERIFY2(echo.startEcho(QStringLiteral("broken"), { QStringLiteral("--fail-rate"), QStringLiteral("1") }),
             echo.stderrText().constData());
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(request(echo.port(), "GET", "/item/" + QByteArray::number(i)).status, 500);
    }
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("echo"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--fail-rate"),
                                     QStringLiteral("1.5") },
                                   nullptr, &err),
             1);
    QVERIFY2(err.contains("--fail-rate"), err.constData());
}

void TestCommands::echoBadDelay()
{
    for (const char *bad : { "soon", "250", "-5ms", "1.5s" }) {
        QByteArray err;
        QCOMPARE(GatehouseProcess::run({ QStringLiteral("echo"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--delay"),
                                         QString::fromLatin1(bad) },
                                       nullptr, &err),
                 1);
        QVERIFY2(err.contains("--delay"), err.constData());
    }
}

void TestCommands::echoPortInUse()
{
    const QString port = QString::number(m_echo.port());
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("echo"), QStringLiteral("127.0.0.1:") + port }, nullptr, &err), 2);
    QVERIFY2(err.contains(port.toLatin1()), err.constData());
}

void TestCommands::servePortInUse()
{
    const QByteArray port = QByteArray::number(m_echo.port());
    const QString profile = writeFile(m_dir, QStringLiteral("busy.yaml"),
                                      "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:" + port
                                          + "\nroutes:\n  - name: hi\n    match: { path_exact: /hi }\n"
                                            "    respond: { status: 200, body: hi }\n");
    QByteArray check;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("check"), profile }, &check), 0);
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), profile }, &out, &err), 2);
    QVERIFY2(err.contains(port), err.constData());
}

void TestCommands::serveInvalidProfile()
{
    const QString profile = writeFile(m_dir, QStringLiteral("bad-serve.yaml"), kBadProfile);
    QByteArray out;
    QByteArray err;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("serve"), profile }, &out, &err), 1);
    QVERIFY2(err.contains((profile + QStringLiteral(":5:1: ")).toUtf8()), err.constData());
    QVERIFY2(err.contains((profile + QStringLiteral(":4:11: ")).toUtf8()), err.constData());
    QVERIFY2(!err.contains("listening on"), err.constData());
    QVERIFY(out.isEmpty());
}

void TestCommands::serveAccessLog()
{
    const QString profile = writeFile(m_dir, QStringLiteral("log.yaml"),
                                      upstreamProfile(m_echo.port(), "  - name: slow\n"
                                                                     "    match: { path: /slow }\n"
                                                                     "    upstream: echo\n"
                                                                     "    fault: { delay: 150ms, delay_percent: 100 }\n"));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(profile), gateway.stderrText().constData());

    const QByteArray secretToken = "sup3r-s3cret-t0ken-value";
    const QByteArray secretCookie = "c00kie-s3cret-value";
    const HttpResponse get = request(gateway.port(), "GET", "/api/items?x=1",
                                     "X-Request-ID: log-test-1\r\nAuthorization: Bearer " + secretToken
                                         + "\r\nCookie: session=" + secretCookie + "\r\n");
    QCOMPARE(get.status, 200);
    QCOMPARE(get.header("x-request-id"), QByteArray("log-test-1"));
    const HttpResponse post = request(gateway.port(), "POST", "/api/upload", "X-Request-ID: log-test-2\r\n", "0123456789");
    QCOMPARE(post.status, 200);
    const HttpResponse missing = request(gateway.port(), "GET", "/nowhere", "X-Request-ID: log-test-3\r\n");
    QCOMPARE(missing.status, 404);
    QCOMPARE(request(gateway.port(), "GET", "/slow", "X-Request-ID: log-test-4\r\n").status, 200);

    const QList<QByteArray> lines = waitForLines(gateway, 4);
    QCOMPARE(lines.size(), 4);
    QHash<QString, QJsonObject> byId;
    const QStringList required { QStringLiteral("time"), QStringLiteral("request_id"), QStringLiteral("client"),
                                 QStringLiteral("method"), QStringLiteral("path"), QStringLiteral("route"),
                                 QStringLiteral("upstream"), QStringLiteral("target"), QStringLiteral("status"),
                                 QStringLiteral("bytes_in"), QStringLiteral("bytes_out"), QStringLiteral("total_ms"),
                                 QStringLiteral("upstream_ms") };
    for (const QByteArray &line : lines) {
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
        const QJsonObject object = doc.object();
        for (const QString &key : required) {
            QVERIFY2(object.contains(key), qPrintable(key + QStringLiteral(" missing in ") + QString::fromUtf8(line)));
        }
        QVERIFY(QDateTime::fromString(object.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(object.value(QStringLiteral("client")).toString().startsWith(QStringLiteral("127.0.0.1:")));
        byId.insert(object.value(QStringLiteral("request_id")).toString(), object);
    }

    const QJsonObject first = byId.value(QStringLiteral("log-test-1"));
    QCOMPARE(first.value(QStringLiteral("method")).toString(), QStringLiteral("GET"));
    QCOMPARE(first.value(QStringLiteral("path")).toString(), QStringLiteral("/api/items?x=1"));
    QCOMPARE(first.value(QStringLiteral("route")).toString(), QStringLiteral("api"));
    QCOMPARE(first.value(QStringLiteral("upstream")).toString(), QStringLiteral("echo"));
    QCOMPARE(first.value(QStringLiteral("target")).toString(), m_echo.url());
    QCOMPARE(first.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(first.value(QStringLiteral("bytes_in")).toInt(), 0);
    QCOMPARE(first.value(QStringLiteral("bytes_out")).toInt(), int(get.body.size()));
    const double total = first.value(QStringLiteral("total_ms")).toDouble(-1);
    const double upstream = first.value(QStringLiteral("upstream_ms")).toDouble(-1);
    QVERIFY(upstream >= 0 && total >= upstream && total < 5000);
    // The breakdown adds up: queue, then the attempt (its connect inside), within the total.
    const double queue = first.value(QStringLiteral("queue_ms")).toDouble(-1);
    const double connect = first.value(QStringLiteral("connect_ms")).toDouble(-1);
    QVERIFY2(queue >= 0 && connect >= 0 && connect <= upstream + 0.002 && queue + upstream <= total + 0.002,
             qPrintable(QStringLiteral("queue %1 connect %2 upstream %3 total %4").arg(queue).arg(connect).arg(upstream).arg(total)));

    const QJsonObject second = byId.value(QStringLiteral("log-test-2"));
    QCOMPARE(second.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(second.value(QStringLiteral("bytes_in")).toInt(), 10);
    QCOMPARE(second.value(QStringLiteral("status")).toInt(), 200);

    const QJsonObject third = byId.value(QStringLiteral("log-test-3"));
    QCOMPARE(third.value(QStringLiteral("status")).toInt(), 404);
    QVERIFY(third.value(QStringLiteral("route")).isNull());
    QVERIFY(third.value(QStringLiteral("upstream")).isNull());
    QVERIFY(third.value(QStringLiteral("queue_ms")).isNull());
    QVERIFY(third.value(QStringLiteral("connect_ms")).isNull());

    // A route's fault delay is time the request queued in the gateway, not upstream time.
    const QJsonObject slow = byId.value(QStringLiteral("log-test-4"));
    QVERIFY2(slow.value(QStringLiteral("queue_ms")).toDouble() >= 150, qPrintable(QString::number(slow.value(QStringLiteral("queue_ms")).toDouble())));
    QVERIFY(slow.value(QStringLiteral("upstream_ms")).toDouble() < 150);

    // Credentials never reach the log or the diagnostics.
    QCOMPARE(gateway.terminate(), 0);
    const QByteArray everything = gateway.stdoutText() + gateway.stderrText();
    QVERIFY2(!everything.contains(secretToken), everything.constData());
    QVERIFY2(!everything.contains(secretCookie), everything.constData());
}

void TestCommands::serveQuiet()
{
    const QString profile = writeFile(m_dir, QStringLiteral("quiet.yaml"), upstreamProfile(m_echo.port()));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(profile, { QStringLiteral("--quiet") }), gateway.stderrText().constData());
    QCOMPARE(request(gateway.port(), "GET", "/api/quiet", "Authorization: Bearer quiet-secret-token\r\n").status, 200);
    QCOMPARE(request(gateway.port(), "GET", "/nowhere").status, 404);
    QThread::msleep(600); // traffic events leave the workers every 200 ms
    QCOMPARE(gateway.terminate(), 0);
    QCOMPARE(gateway.stdoutText(), QByteArray());
    QVERIFY(!gateway.stderrText().contains("quiet-secret-token"));
}

void TestCommands::sigtermDrainsInFlight()
{
    const QString profile = writeFile(m_dir, QStringLiteral("drain.yaml"), upstreamProfile(m_echo.port()));
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(profile), gateway.stderrText().constData());

    QTcpSocket client;
    client.connectToHost(QStringLiteral("127.0.0.1"), gateway.port());
    QVERIFY(client.waitForConnected(3000));
    QElapsedTimer clock;
    clock.start();
    client.write("GET /_echo/sleep/1500 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(client.waitForBytesWritten(3000));
    QThread::msleep(300); // the request is with the upstream now
    gateway.signal(SIGTERM);
    QVERIFY(gateway.waitForStderr("draining"));

    QByteArray received;
    while (clock.elapsed() < 8000) {
        if (!client.waitForReadyRead(500)) {
            if (client.state() != QAbstractSocket::ConnectedState) {
                break;
            }
            continue;
        }
        received += client.readAll();
        const QList<HttpResponse> responses = parseResponses(received);
        if (!responses.isEmpty() && responses.first().body.size() >= responses.first().header("content-length").toInt()) {
            break;
        }
    }
    received += client.readAll();
    const QList<HttpResponse> responses = parseResponses(received);
    QVERIFY2(responses.size() == 1, received.constData());
    QCOMPARE(responses.first().status, 200);
    QCOMPARE(QJsonDocument::fromJson(responses.first().body).object().value(QStringLiteral("name")).toString(),
             QStringLiteral("shared"));
    QVERIFY2(clock.elapsed() >= 1400, QByteArray::number(clock.elapsed()).constData());
    // Draining: the connection is not kept for another request.
    QCOMPARE(responses.first().header("connection").toLower(), QByteArray("close"));

    QVERIFY(gateway.process().waitForFinished(5000));
    QCOMPARE(gateway.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(gateway.process().exitCode(), 0);
    // The drained request is logged before the exit.
    QVERIFY2(gateway.stdoutText().contains("/_echo/sleep/1500"), gateway.stdoutText().constData());
}

void TestCommands::sighupReload()
{
    const QByteArray head = "gatehouse: 1\nname: reload\nlisten:\n  - bind: 127.0.0.1:0\nroutes:\n";
    const QByteArray oldRoute = "  - name: old\n    match: { path_exact: /old }\n    respond: { status: 200, body: old }\n";
    const QByteArray newRoute = "  - name: new\n    match: { path_exact: /new }\n    respond: { status: 200, body: new }\n";
    const QString profile = writeFile(m_dir, QStringLiteral("reload.yaml"), head + oldRoute);
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(profile, { QStringLiteral("--quiet") }), gateway.stderrText().constData());
    const quint16 port = gateway.port();
    QCOMPARE(request(port, "GET", "/old").status, 200);
    QCOMPARE(request(port, "GET", "/new").status, 404);

    // A good profile: the new route answers, on the same port.
    writeFile(m_dir, QStringLiteral("reload.yaml"), head + oldRoute + newRoute);
    gateway.signal(SIGHUP);
    QVERIFY2(gateway.waitForStderr("gatehouse: reloaded"), gateway.stderrText().constData());
    HttpResponse response = request(port, "GET", "/new");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, QByteArray("new"));

    // A broken profile: problems on stderr, the running profile stays.
    writeFile(m_dir, QStringLiteral("reload.yaml"), head + oldRoute + "  - name: broken\n    upstream: nowhere\n");
    gateway.signal(SIGHUP);
    QVERIFY2(gateway.waitForStderr("reload failed"), gateway.stderrText().constData());
    QVERIFY2(gateway.stderrText().contains((profile + QStringLiteral(":10:15: ")).toUtf8()), gateway.stderrText().constData());
    QCOMPARE(gateway.process().state(), QProcess::Running);
    response = request(port, "GET", "/new");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, QByteArray("new"));
    QCOMPARE(request(port, "GET", "/old").status, 200);
    QCOMPARE(gateway.terminate(), 0);
}

void TestCommands::serveDefaultProfile()
{
    // default.yaml binds fixed ports; don't fight whatever else runs on this machine.
    for (const quint16 port : { 8080, 8001, 8002, 8003 }) {
        if (!portFree(port)) {
            QSKIP(qPrintable(QStringLiteral("port %1 is in use; profiles/default.yaml needs 8080 and 8001-8003").arg(port)));
        }
    }
    GatehouseProcess gateway;
    QVERIFY2(gateway.startServe(sourceFile(QStringLiteral("profiles/default.yaml")), { QStringLiteral("--quiet") }),
             gateway.stderrText().constData());
    QCOMPARE(gateway.port(), quint16(8080));

    QSet<QString> names;
    for (int i = 0; i < 3; ++i) {
        const HttpResponse response = request(8080, "GET", "/api/users/1");
        QCOMPARE(response.status, 200);
        const QJsonObject json = QJsonDocument::fromJson(response.body).object();
        QCOMPARE(json.value(QStringLiteral("path")).toString(), QStringLiteral("/users/1")); // strip_prefix /api
        names.insert(json.value(QStringLiteral("name")).toString());
    }
    // Weighted 2:1 round robin: three requests reach both.
    QCOMPARE(names, (QSet<QString> { QStringLiteral("users-1"), QStringLiteral("users-2") }));

    const HttpResponse hello = request(8080, "GET", "/hello");
    QCOMPARE(hello.status, 200);
    QCOMPARE(QJsonDocument::fromJson(hello.body).object().value(QStringLiteral("hello")).toString(), QStringLiteral("world"));

    const HttpResponse wrongMethod = request(8080, "POST", "/slow");
    QCOMPARE(wrongMethod.status, 405);
    QVERIFY(wrongMethod.header("allow").contains("GET"));
    QCOMPARE(gateway.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestCommands)
#include "TestCommands.moc"
