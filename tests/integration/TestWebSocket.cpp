// WebSocket tunnelling end to end through `gatehouse serve`: a real python3-websockets echo
// upstream and a real python3-websockets client (tests/integration/websocket/), over plain and
// TLS listeners; the pipeline (JWT auth) still guards the upgrade; the tunnel's access-log line
// counts the bytes each way; idle tunnels and drains end it; back-pressure keeps the gateway's
// memory flat under a client that does not read. A raw QTcpSocket checks the 101 head and
// hand-written frames byte by byte, frames sent along with the upgrade request, and that an
// upgrade the upstream refuses ends the connection after the answer.

#include <csignal>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "tests/integration/IntegrationClients.h"
#include "tests/support/TestSupport.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
const QByteArray kGreeting = "hello from upstream"; // what ws_echo_server.py sends first
const QByteArray kSecret = "websocket-test-secret-of-enough-length-42";

// Debian's interpreter, where python3-websockets is installed (`python3` on PATH may be a shim).
const QString kPython = QStringLiteral("/usr/bin/python3");

QString scriptPath(const char *name)
{
    return qEnvironmentVariable("GATEHOUSE_SOURCE_DIR") + QStringLiteral("/tests/integration/websocket/")
        + QString::fromLatin1(name);
}

// ws_echo_server.py: a real WebSocket upstream on a free port. It prints one JSON line per HTTP
// request it receives, so a test can tell whether the gateway let a request through at all.
class WsEchoServer
{
public:
    ~WsEchoServer() { stop(); }
    bool start()
    {
        m_process.start(kPython, { scriptPath("ws_echo_server.py") });
        if (!m_process.waitForStarted(5000)) {
            return false;
        }
        m_port = waitForPortLine(m_process, m_stdout);
        if (m_port == 0) {
            qWarning("ws_echo_server.py did not start: %s", m_process.readAllStandardError().constData());
        }
        return m_port != 0;
    }
    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    quint16 port() const { return m_port; }
    // The requests the upstream received so far, in order.
    QList<QJsonObject> requests()
    {
        m_process.waitForReadyRead(100);
        m_stdout += m_process.readAllStandardOutput();
        QList<QJsonObject> out;
        for (const QByteArray &line : m_stdout.split('\n')) {
            if (line.startsWith('{')) {
                out.append(json(line));
            }
        }
        return out;
    }
    // How many requests for `path` (without its query) the upstream received.
    qsizetype requestsFor(const QString &path)
    {
        qsizetype count = 0;
        for (const QJsonObject &request : requests()) {
            count += request.value(u"request").toString().section(QLatin1Char('?'), 0, 0) == path ? 1 : 0;
        }
        return count;
    }

private:
    QProcess m_process;
    QByteArray m_stdout;
    quint16 m_port = 0;
};

// What ws_client.py printed: the handshake status, the response headers, a result per step.
struct WsRun
{
    int exitCode = -1; // 0 ok, 2 handshake refused, 3 other error, -1 did not finish
    QJsonObject out;
    QByteArray err;
    int status() const { return out.value(u"status").toInt(); }
    QString header(const char *lowerName) const
    {
        return out.value(u"headers").toObject().value(QLatin1String(lowerName)).toString();
    }
    QJsonObject step(qsizetype index) const { return out.value(u"steps").toArray().at(index).toObject(); }
    QJsonObject message(qsizetype stepIndex) const { return step(stepIndex).value(u"message").toObject(); }
    QByteArray describe() const
    {
        return "exit " + QByteArray::number(exitCode) + ": " + QJsonDocument(out).toJson(QJsonDocument::Compact)
            + " / " + err;
    }
};

// Runs ws_client.py against `url` with the steps (a JSON list, see the script), bounded.
WsRun runWsClient(const QString &url, const QByteArray &steps, const QStringList &extra = {}, int timeoutMs = 25000)
{
    QProcess process;
    process.start(kPython, QStringList { scriptPath("ws_client.py"), url, QString::fromUtf8(steps) } + extra);
    WsRun run;
    if (!process.waitForStarted(5000) || !process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(3000);
        run.err = process.readAllStandardError();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = json(process.readAllStandardOutput());
    run.err = process.readAllStandardError();
    return run;
}

// Bytes of one frame on the wire (RFC 6455 §5.2): clients mask theirs, servers do not.
qint64 frameBytes(qint64 payload, bool masked)
{
    const qint64 length = payload < 126 ? 0 : payload < 65536 ? 2 : 8;
    return 2 + length + (masked ? 4 : 0) + payload;
}

// A final frame as a client must send it: masked (RFC 6455 §5.3).
QByteArray maskedFrame(quint8 opcode, const QByteArray &payload)
{
    const QByteArray key = QByteArray::fromHex("37fa213d");
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else {
        frame.append(char(0x80 | 126)).append(char(payload.size() >> 8)).append(char(payload.size() & 0xff));
    }
    frame.append(key);
    for (qsizetype i = 0; i < payload.size(); ++i) {
        frame.append(char(payload.at(i) ^ key.at(i % 4)));
    }
    return frame;
}

struct Frame
{
    quint8 opcode = 0;
    bool fin = false;
    bool masked = false;
    QByteArray payload;
};

// Takes one complete frame off the front of `buffer`; nullopt while it is incomplete.
std::optional<Frame> takeFrame(QByteArray &buffer)
{
    if (buffer.size() < 2) {
        return std::nullopt;
    }
    const auto byte = [&buffer](qsizetype i) { return quint8(buffer.at(i)); };
    Frame frame;
    frame.fin = byte(0) & 0x80;
    frame.opcode = byte(0) & 0x0f;
    frame.masked = byte(1) & 0x80;
    qint64 length = byte(1) & 0x7f;
    qsizetype pos = 2;
    const int extra = length == 126 ? 2 : length == 127 ? 8 : 0;
    if (buffer.size() < pos + extra) {
        return std::nullopt;
    }
    if (extra > 0) {
        length = 0;
        for (int i = 0; i < extra; ++i) {
            length = (length << 8) | byte(pos + i);
        }
        pos += extra;
    }
    const QByteArray key = frame.masked ? buffer.mid(pos, 4) : QByteArray();
    pos += key.size();
    if (buffer.size() < pos + length || (frame.masked && key.size() < 4)) {
        return std::nullopt;
    }
    frame.payload = buffer.mid(pos, length);
    for (qsizetype i = 0; frame.masked && i < frame.payload.size(); ++i) {
        frame.payload[i] = char(frame.payload.at(i) ^ key.at(i % 4));
    }
    buffer.remove(0, pos + length);
    return frame;
}

// The next frame from the connection (after its HTTP head was read), bounded.
std::optional<Frame> readFrame(RawConnection &connection, int timeoutMs = 5000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (true) {
        if (auto frame = takeFrame(connection.buffer())) {
            return frame;
        }
        if (deadline.hasExpired() || connection.socket().state() != QAbstractSocket::ConnectedState) {
            return std::nullopt;
        }
        if (connection.socket().bytesAvailable() > 0
            || connection.socket().waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
            connection.buffer() += connection.socket().readAll();
        }
    }
}

// The RFC 6455 §1.3 example key, and the accept value any correct server derives from it.
const QByteArray kWebSocketKey = "dGhlIHNhbXBsZSBub25jZQ==";
QByteArray expectedAccept(const QByteArray &key)
{
    return QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1).toBase64();
}

QByteArray upgradeRequest(const QByteArray &path)
{
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + kWebSocketKey + "\r\n\r\n";
}

// Completes a handshake on `connection` and returns the 101 head (nullopt on anything else).
std::optional<HttpResponse> openTunnel(RawConnection &connection, quint16 port, const QByteArray &path)
{
    if (!connection.open(port)) {
        return std::nullopt;
    }
    connection.send(upgradeRequest(path));
    auto head = connection.read();
    return head && head->status == 101 ? head : std::nullopt;
}

// A self-signed certificate for localhost and 127.0.0.1, made with the openssl tool in `dir`.
bool makeCertificate(const QTemporaryDir &dir)
{
    QProcess openssl;
    openssl.setWorkingDirectory(dir.path());
    openssl.start(QStringLiteral("openssl"),
                  { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                    QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"), QStringLiteral("-days"),
                    QStringLiteral("2"), QStringLiteral("-keyout"), QStringLiteral("k.pem"), QStringLiteral("-out"),
                    QStringLiteral("c.pem") });
    if (!openssl.waitForFinished(15000) || openssl.exitCode() != 0) {
        qWarning("openssl failed: %s", openssl.readAllStandardError().constData());
        openssl.kill();
        return false;
    }
    return true;
}

} // namespace

class TestWebSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void echoThroughPlainListener();
    void upstreamPushesUnprompted();
    void wssThroughHttpsListener();
    void authGuardsTheUpgrade();
    void idleTunnelIsClosed();
    void rawHandshakeAndFrames();
    void framesSentWithTheUpgradeRequest();
    void backPressureBoundsMemory();
    void refusedUpgradeEndsTheConnection();
    void drainClosesTunnels();

private:
    QByteArray upstreamsBlock() const;
    QString wsUrl(const char *path) const;
    QJsonObject logLineFor(const QString &logPath, const QString &requestId);

    QTemporaryDir m_dir;
    WsEchoServer m_wsEcho;
    GatehouseProcess m_httpEcho;
    GatehouseProcess m_gateway;
    QString m_profilePath;
    QString m_logPath;
    quint16 m_plainPort = 0;
    quint16 m_tlsPort = 0;
};

// moc reads the class body: the profile text stays out of it.
QByteArray TestWebSocket::upstreamsBlock() const
{
    QByteArray block = R"(upstreams:
  - name: ws
    targets: [{ url: "http://127.0.0.1:@W@" }]
  - name: http-echo
    targets: [{ url: "http://127.0.0.1:@E@" }]
)";
    return block.replace("@W@", QByteArray::number(m_wsEcho.port())).replace("@E@", portOf(m_httpEcho));
}

QString TestWebSocket::wsUrl(const char *path) const
{
    return QStringLiteral("ws://127.0.0.1:%1%2").arg(m_plainPort).arg(QLatin1String(path));
}

QJsonObject TestWebSocket::logLineFor(const QString &logPath, const QString &requestId)
{
    // The gateway writes its log in batches, and a tunnel's line only once the tunnel ended.
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        const QJsonObject found = byRequestId(readAccessLog(logPath)).value(requestId);
        if (!found.isEmpty()) {
            return found;
        }
        QTest::qWait(50);
    }
    return {};
}

void TestWebSocket::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(scriptPath("ws_client.py")), "GATEHOUSE_SOURCE_DIR must point at the source tree");
    QVERIFY(m_wsEcho.start());
    QVERIFY2(m_httpEcho.startEcho(QStringLiteral("http-echo")), m_httpEcho.stderrText().constData());
    QVERIFY(makeCertificate(m_dir));
    writeFile(m_dir, QStringLiteral("hs.secret"), kSecret);

    // Two spellings of loopback: the engine tells listeners apart by their configured bind, and
    // two identical `127.0.0.1:0` binds would collide there (one port announced twice).
    const QByteArray profile = R"(gatehouse: 1
name: websocket
listen:
  - bind: localhost:0
  - bind: 127.0.0.1:0
    tls: { cert: c.pem, key: k.pem }
)" + upstreamsBlock() + R"(routes:
  - { name: ws, match: { path: /ws }, upstream: ws }
  - { name: push, match: { path: /push }, upstream: ws }
  - { name: secure, match: { path: /secure }, upstream: ws, auth: hs-jwt }
  - { name: not-websocket, match: { path: /plain }, upstream: http-echo }
jwt:
  - name: hs-jwt
    algorithms: [HS256]
    secret: file:hs.secret
)";
    m_profilePath = writeFile(m_dir, QStringLiteral("websocket.yaml"), profile);
    m_logPath = m_dir.filePath(QStringLiteral("websocket.jsonl"));
    m_gateway.process().setStandardOutputFile(m_logPath, QIODevice::Truncate);
    QVERIFY2(m_gateway.startServe(m_profilePath, {}, 2), m_gateway.stderrText().constData());
    // Which announced port is which: the https one says so.
    static const QRegularExpression https(QStringLiteral("listening on https://[^\\s:]+:(\\d+)"));
    const auto match = https.match(QString::fromUtf8(m_gateway.stderrText()));
    QVERIFY2(match.hasMatch(), m_gateway.stderrText().constData());
    m_tlsPort = quint16(match.captured(1).toUInt());
    m_plainPort = m_gateway.port(0) == m_tlsPort ? m_gateway.port(1) : m_gateway.port(0);
}

void TestWebSocket::cleanupTestCase()
{
    m_gateway.terminate();
    m_httpEcho.terminate();
    m_wsEcho.stop();
}

void TestWebSocket::echoThroughPlainListener()
{
    QByteArray allBytes(256, 0);
    for (int i = 0; i < 256; ++i) {
        allBytes[i] = char(i);
    }
    const WsRun run = runWsClient(wsUrl("/ws"), R"([["recv"], ["send_text", "hello"], ["recv"], ["send_hex", ")"
                                                       + allBytes.toHex() + R"("], ["recv"],
                                                       ["send_random", 1048576], ["recv"], ["close"]])");
    QVERIFY2(run.exitCode == 0, run.describe().constData());
    QCOMPARE(run.status(), 101);
    QVERIFY(!run.header("x-request-id").isEmpty());
    // Upstream → client without any request: the greeting.
    QCOMPARE(run.message(0).value(u"text").toString(), QString::fromLatin1(kGreeting));
    QCOMPARE(run.message(2).value(u"type").toString(), QStringLiteral("text"));
    QCOMPARE(run.message(2).value(u"text").toString(), QStringLiteral("hello"));
    QCOMPARE(run.message(4).value(u"type").toString(), QStringLiteral("binary"));
    QCOMPARE(run.message(4).value(u"hex").toString().toLatin1(), allBytes.toHex());
    // 1 MiB each way: intact, and through the tunnel's back-pressure (far above its buffer).
    QCOMPARE(run.message(6).value(u"length").toInteger(), kMiB);
    QCOMPARE(run.message(6).value(u"sha256").toString(), run.step(5).value(u"sha256").toString());
    QCOMPARE(run.out.value(u"close_code").toInt(), 1000); // the close handshake went through both ways

    const QJsonObject line = logLineFor(m_logPath, run.header("x-request-id"));
    QVERIFY2(!line.isEmpty(), "no access-log line for the tunnel");
    QCOMPARE(line.value(u"status").toInt(), 101);
    QCOMPARE(line.value(u"route").toString(), QStringLiteral("ws"));
    // Exactly the frames, no heads: the client's are masked, the upstream's not; the close
    // frames carry the code and "done" (the upstream echoes the client's).
    const qint64 clientFrames = frameBytes(5, true) + frameBytes(256, true) + frameBytes(kMiB, true) + frameBytes(6, true);
    const qint64 upstreamFrames = frameBytes(kGreeting.size(), false) + frameBytes(5, false) + frameBytes(256, false)
        + frameBytes(kMiB, false) + frameBytes(6, false);
    QCOMPARE(line.value(u"bytes_in").toInteger(), clientFrames);
    QCOMPARE(line.value(u"bytes_out").toInteger(), upstreamFrames);
    QVERIFY(line.value(u"total_ms").toDouble() > 0);
}

void TestWebSocket::upstreamPushesUnprompted()
{
    const WsRun run = runWsClient(wsUrl("/push?n=3"), R"([["recv_until_closed"]])");
    QVERIFY2(run.exitCode == 0, run.describe().constData());
    const QJsonArray messages = run.step(0).value(u"messages").toArray();
    QCOMPARE(messages.size(), 3);
    for (qsizetype i = 0; i < messages.size(); ++i) {
        QCOMPARE(messages.at(i).toObject().value(u"text").toString(), QStringLiteral("push %1").arg(i + 1));
    }
    // The upstream closed first; its close frame reached the client through the tunnel.
    QCOMPARE(run.out.value(u"close_code").toInt(), 1000);
    QCOMPARE(run.out.value(u"close_reason").toString(), QStringLiteral("pushed"));
}

void TestWebSocket::wssThroughHttpsListener()
{
    // 1 MiB each way as well: TLS writes that only partly go out, under the tunnel's back-pressure.
    const WsRun run = runWsClient(QStringLiteral("wss://127.0.0.1:%1/ws").arg(m_tlsPort),
                                  R"([["recv"], ["send_text", "over tls"], ["recv"], ["send_random", 1048576], ["recv"],
                                      ["close"]])",
                                  { QStringLiteral("--ca"), m_dir.filePath(QStringLiteral("c.pem")) });
    QVERIFY2(run.exitCode == 0, run.describe().constData());
    QCOMPARE(run.message(0).value(u"text").toString(), QString::fromLatin1(kGreeting));
    QCOMPARE(run.message(2).value(u"text").toString(), QStringLiteral("over tls"));
    QCOMPARE(run.message(4).value(u"sha256").toString(), run.step(3).value(u"sha256").toString());
    QCOMPARE(run.out.value(u"close_code").toInt(), 1000);
    // The upstream learns the client came over TLS.
    const QList<QJsonObject> requests = m_wsEcho.requests();
    QVERIFY(!requests.isEmpty());
    QCOMPARE(requests.last().value(u"headers").toObject().value(u"x-forwarded-proto").toString(), QStringLiteral("https"));
    // The log counts the WebSocket bytes, not the TLS records around them.
    const QJsonObject line = logLineFor(m_logPath, run.header("x-request-id"));
    QCOMPARE(line.value(u"status").toInt(), 101);
    QCOMPARE(line.value(u"bytes_in").toInteger(), frameBytes(8, true) + frameBytes(kMiB, true) + frameBytes(6, true));
    QCOMPARE(line.value(u"bytes_out").toInteger(),
             frameBytes(kGreeting.size(), false) + frameBytes(8, false) + frameBytes(kMiB, false) + frameBytes(6, false));
}

void TestWebSocket::authGuardsTheUpgrade()
{
    const qsizetype before = m_wsEcho.requestsFor(QStringLiteral("/secure"));
    const WsRun refused = runWsClient(wsUrl("/secure"), R"([["recv"]])");
    QVERIFY2(refused.exitCode == 2, refused.describe().constData());
    QCOMPARE(refused.status(), 401);
    // The access log says the gateway answered it; the upstream never saw the request.
    const QJsonObject refusedLine = logLineFor(m_logPath, refused.header("x-request-id"));
    QCOMPARE(refusedLine.value(u"route").toString(), QStringLiteral("secure"));
    QCOMPARE(refusedLine.value(u"status").toInt(), 401);
    QVERIFY(upstreamNotAsked(refusedLine));
    QCOMPARE(m_wsEcho.requestsFor(QStringLiteral("/secure")), before);

    QByteArray token;
    QCOMPARE(GatehouseProcess::run({ QStringLiteral("token"), m_profilePath, QStringLiteral("--jwt"), QStringLiteral("hs-jwt"),
                                     QStringLiteral("--claim"), QStringLiteral("sub=ws-user") },
                                   &token),
             0);
    const WsRun allowed = runWsClient(wsUrl("/secure"), R"([["recv"], ["close"]])",
                                      { QStringLiteral("--header"), QStringLiteral("Authorization: Bearer ")
                                            + QString::fromLatin1(token.trimmed()) });
    QVERIFY2(allowed.exitCode == 0, allowed.describe().constData());
    QCOMPARE(allowed.status(), 101);
    QCOMPARE(allowed.message(0).value(u"text").toString(), QString::fromLatin1(kGreeting));
    QCOMPARE(m_wsEcho.requestsFor(QStringLiteral("/secure")), before + 1);
    const QJsonObject line = logLineFor(m_logPath, allowed.header("x-request-id"));
    QCOMPARE(line.value(u"status").toInt(), 101);
    QCOMPARE(line.value(u"consumer").toString(), QStringLiteral("ws-user"));
}

void TestWebSocket::idleTunnelIsClosed()
{
    QString logPath;
    const auto gateway = startGatewayWithLog(m_dir, QStringLiteral("idle"), R"(gatehouse: 1
name: idle
listen: [{ bind: 127.0.0.1:0 }]
limits: { idle_timeout: 1s }
)" + upstreamsBlock() + R"(routes:
  - { name: ws, match: { path: /ws }, upstream: ws }
)",
                                             &logPath);
    QVERIFY(gateway);
    // The greeting is the last traffic; then neither side sends anything.
    QElapsedTimer timer;
    timer.start();
    const WsRun run = runWsClient(QStringLiteral("ws://127.0.0.1:%1/ws").arg(gateway->port()),
                                  R"([["recv"], ["wait_closed", 5]])");
    QVERIFY2(run.exitCode == 0, run.describe().constData());
    QVERIFY(timer.elapsed() < 10000);
    QCOMPARE(run.message(0).value(u"text").toString(), QString::fromLatin1(kGreeting));
    const QJsonObject waited = run.step(1);
    QVERIFY2(waited.value(u"closed").toBool(), run.describe().constData());
    const double seconds = waited.value(u"seconds").toDouble();
    QVERIFY2(seconds >= 0.9 && seconds < 5.0, qPrintable(QString::number(seconds)));
    QCOMPARE(run.out.value(u"close_code").toInt(), 1006); // cut without a close frame

    // total_ms is the session's duration, the idle second included.
    const QJsonObject line = logLineFor(logPath, run.header("x-request-id"));
    QCOMPARE(line.value(u"status").toInt(), 101);
    QVERIFY2(line.value(u"total_ms").toDouble() >= 900, QJsonDocument(line).toJson().constData());
}

void TestWebSocket::rawHandshakeAndFrames()
{
    RawConnection connection;
    const auto head = openTunnel(connection, m_plainPort, "/ws");
    QVERIFY(head);
    QCOMPARE(head->header("upgrade").toLower(), QByteArray("websocket"));
    QCOMPARE(head->header("connection").toLower(), QByteArray("upgrade"));
    // Computed by the upstream from our key and passed on unchanged.
    QCOMPARE(head->header("sec-websocket-accept"), expectedAccept(kWebSocketKey));
    const QByteArray requestId = head->header("x-request-id");
    QVERIFY(!requestId.isEmpty());
    QVERIFY(head->header("content-length").isEmpty() && head->header("transfer-encoding").isEmpty());

    // Server frames arrive unmasked, exactly as the upstream wrote them.
    auto frame = readFrame(connection);
    QVERIFY(frame);
    QVERIFY(frame->fin && !frame->masked);
    QCOMPARE(frame->opcode, quint8(0x1));
    QCOMPARE(frame->payload, kGreeting);

    connection.send(maskedFrame(0x1, "ping"));
    frame = readFrame(connection);
    QVERIFY(frame);
    QVERIFY(!frame->masked);
    QCOMPARE(frame->opcode, quint8(0x1));
    QCOMPARE(frame->payload, QByteArray("ping"));

    // Close 1000: the upstream answers with its close frame and ends the TCP connection; the
    // tunnel passes that on and the gateway closes our side.
    const QByteArray code1000 = QByteArray::fromHex("03e8");
    connection.send(maskedFrame(0x8, code1000));
    frame = readFrame(connection);
    QVERIFY(frame);
    QCOMPARE(frame->opcode, quint8(0x8));
    QCOMPARE(frame->payload, code1000);
    QVERIFY(connection.waitForClose(3000));

    const QJsonObject line = logLineFor(m_logPath, QString::fromLatin1(requestId));
    QCOMPARE(line.value(u"status").toInt(), 101);
    QCOMPARE(line.value(u"bytes_in").toInteger(), frameBytes(4, true) + frameBytes(2, true));
    QCOMPARE(line.value(u"bytes_out").toInteger(),
             frameBytes(kGreeting.size(), false) + frameBytes(4, false) + frameBytes(2, false));
}

void TestWebSocket::framesSentWithTheUpgradeRequest()
{
    // A client may send its first frame right behind the upgrade request, before the 101: those
    // bytes belong to the tunnel, not to an HTTP parser, and reach the upstream once it switched.
    RawConnection connection;
    QVERIFY(connection.open(m_plainPort));
    connection.send(upgradeRequest("/ws") + maskedFrame(0x1, "early"));
    const auto head = connection.read();
    QVERIFY(head);
    QCOMPARE(head->status, 101);
    auto frame = readFrame(connection);
    QVERIFY(frame);
    QCOMPARE(frame->payload, kGreeting);
    frame = readFrame(connection);
    QVERIFY(frame);
    QCOMPARE(frame->opcode, quint8(0x1));
    QCOMPARE(frame->payload, QByteArray("early"));
}

void TestWebSocket::backPressureBoundsMemory()
{
    // The upstream pushes 128 MiB while the client reads nothing. The gateway must stop reading
    // the upstream rather than buffer it: its memory barely grows while the kernel buffers are
    // full. Then the client reads, and every message arrives intact and in order.
    constexpr int kMessages = 128;
    const qint64 before = residentBytes(m_gateway.pid());
    QVERIFY(before > 0);
    RawConnection connection;
    QVERIFY(openTunnel(connection, m_plainPort, "/push?n=128&size=1048576"));
    QThread::msleep(1500); // not qWait: no event loop, so Qt does not read the socket for us
    const qint64 stalled = residentBytes(m_gateway.pid());
    QVERIFY2(stalled - before < 24 * kMiB, qPrintable(QStringLiteral("gateway grew by %1 MiB").arg((stalled - before) / kMiB)));

    for (int i = 1; i <= kMessages; ++i) {
        const auto frame = readFrame(connection, 10000);
        QVERIFY2(frame, qPrintable(QStringLiteral("message %1 missing").arg(i)));
        QCOMPARE(frame->opcode, quint8(0x2));
        QCOMPARE(frame->payload.size(), kMiB);
        QVERIFY2(frame->payload == QByteArray(kMiB, char(i % 256)), qPrintable(QStringLiteral("message %1 corrupted").arg(i)));
    }
    const auto closing = readFrame(connection);
    QVERIFY(closing);
    QCOMPARE(closing->opcode, quint8(0x8));
}

void TestWebSocket::refusedUpgradeEndsTheConnection()
{
    // `gatehouse echo` answers an upgrade with a plain 200. The client pipelines a second request
    // after the upgrade: those bytes might have been frames, so the gateway must not run them.
    RawConnection connection;
    QVERIFY(connection.open(m_plainPort));
    connection.send(upgradeRequest("/plain") + "GET /plain/second HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto response = connection.readFinal();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(seenHeader(response->body, "upgrade"), QStringLiteral("websocket")); // the upstream was asked
    QCOMPARE(field(response->body, "path"), QStringLiteral("/plain"));
    QVERIFY(connection.waitForClose(3000));
    QVERIFY2(!connection.buffer().contains("HTTP/1.1"), connection.buffer().constData());
}

void TestWebSocket::drainClosesTunnels()
{
    QString logPath;
    const auto gateway = startGatewayWithLog(m_dir, QStringLiteral("drain"), R"(gatehouse: 1
name: drain
listen: [{ bind: 127.0.0.1:0 }]
)" + upstreamsBlock() + R"(routes:
  - { name: ws, match: { path: /ws }, upstream: ws }
)",
                                             &logPath);
    QVERIFY(gateway);
    RawConnection connection;
    const auto head = openTunnel(connection, gateway->port(), "/ws");
    QVERIFY(head);
    QVERIFY(readFrame(connection)); // the greeting: the tunnel is up

    // An open tunnel would hold a drain until its timeout: SIGTERM closes it at once instead.
    QElapsedTimer timer;
    timer.start();
    gateway->signal(SIGTERM);
    QVERIFY(connection.waitForClose(3000));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(gateway->terminate(5000), 0);
    QVERIFY(timer.elapsed() < 5000);
    // The tunnel's line was still written before the exit.
    const QJsonObject line = byRequestId(readAccessLog(logPath)).value(QString::fromLatin1(head->header("x-request-id")));
    QCOMPARE(line.value(u"status").toInt(), 101);
}

QTEST_GUILESS_MAIN(TestWebSocket)
#include "TestWebSocket.moc"
