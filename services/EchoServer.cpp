#include "EchoServer.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QPointer>
#include <QRandomGenerator>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include "engine/http/HttpParser.h"
#include "engine/http/HeadWriter.h"

// What the echo service answers (SPEC §1 `gatehouse echo`, §6):
//   any request      200 {"name","method","path","query","headers","body_length","body_sha256"}
//                    "headers" maps lower-cased names to values (repeats joined with ", ");
//                    with --fail-rate, that fraction gets 500 and an extra "error": "injected failure".
//   /_echo/status/N  the same JSON with status N (200..599; 204 and 304 without a body)
//   /_echo/bytes/N   N bytes of body, produced as the socket drains (N may be 1 GiB or more);
//                    byte k is kPattern[k % 64], so a client can check what it received
//   /_echo/chunked/N the same with Transfer-Encoding: chunked
//   /_echo/close     the JSON, then the connection is closed
//   /_echo/hang      never answers (nor reads anything after this request)
//   /_echo/reset     aborts the connection without answering
//   /_echo/sleep/MS  waits MS milliseconds, then the JSON
// --delay applies before every answer; --fail-rate only to plain echo answers, so /_echo/ scripts
// stay deterministic.

namespace gatehouse::services {

namespace http = engine::http;

namespace {

using http::HttpParser;

constexpr qint64 kStreamBlock = 64 * 1024;
constexpr qint64 kWriteHighWater = 256 * 1024; // streamed bodies never queue more than this
constexpr qint64 kReadBufferSize = 1024 * 1024; // TCP back-pressure while a request is answered
const char kPattern[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

const QByteArray &streamBlock()
{
    static const QByteArray block = [] {
        QByteArray b(kStreamBlock, Qt::Uninitialized);
        for (qint64 i = 0; i < kStreamBlock; ++i) {
            b[i] = kPattern[i % 64];
        }
        return b;
    }();
    return block;
}

void appendJsonString(QByteArray &out, QByteArrayView s)
{
    // Header values may carry obs-text that is not UTF-8; JSON must be, so repair those first.
    QByteArray repaired;
    if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        repaired = QString::fromUtf8(s).toUtf8();
        s = repaired;
    }
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (u < 0x20 || u == 0x7f) {
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

QByteArray lowerAscii(QByteArrayView s)
{
    QByteArray out(s.data(), s.size());
    for (char &c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = char(c - 'A' + 'a');
        }
    }
    return out;
}

// Non-negative decimal, or -1.
qint64 parseNumber(QByteArrayView s)
{
    if (s.isEmpty() || s.size() > 18) {
        return -1;
    }
    qint64 n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') {
            return -1;
        }
        n = n * 10 + (c - '0');
    }
    return n;
}

} // namespace

class EchoConnection;

class EchoServerPrivate
{
public:
    EchoServer::Options options;
    QByteArray nameJson; // pre-escaped, it is in every answer
    QTcpServer *server = nullptr;
    QSet<EchoConnection *> connections;
    QRandomGenerator rng;
    QString errorString;
};

// One client connection: parses requests one at a time (pipelined ones wait in the buffer until
// the answer before them is complete, which keeps answers in order).
class EchoConnection final : public QObject
{
public:
    EchoConnection(EchoServerPrivate *server, QTcpSocket *socket, QObject *parent);
    ~EchoConnection() override;

    void abort();

private:
    enum class State { Reading, Waiting, Streaming, Hanging, Closing };

    void pump();
    void onHead();
    void onMessageEnd();
    void answer();
    void respondParseError();
    void writeSimple(int status, const QByteArray &body, bool close);
    void addConnectionHeader(http::ResponseHead &answer, bool close) const;
    void startStream(qint64 size, bool chunked);
    void continueStream();
    void responseDone(bool close);
    QByteArray echoJson(const char *error) const;

    EchoServerPrivate *m_server;
    QTcpSocket *m_socket;
    HttpParser m_parser { HttpParser::Mode::Request };
    State m_state = State::Reading;
    QByteArray m_in;
    qsizetype m_offset = 0;
    QCryptographicHash m_hash { QCryptographicHash::Sha256 };
    qint64 m_bodyLength = 0;
    qint64 m_streamLeft = 0;
    bool m_streamChunked = false;
    bool m_streamClose = false;
};

EchoConnection::EchoConnection(EchoServerPrivate *server, QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_socket(socket)
{
    m_socket->setParent(this);
    // After the connection exists: set earlier, the option is lost (PERFORMANCE.md, item 1).
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // While an answer is pending the buffer fills up and TCP pushes back on the client.
    m_socket->setReadBufferSize(kReadBufferSize);
    QObject::connect(m_socket, &QTcpSocket::readyRead, this, [this] { pump(); });
    QObject::connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_state == State::Streaming) {
            continueStream();
        }
    });
    // disconnected can fire inside write()/abort(): defer the deletion.
    QObject::connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_state = State::Closing;
        m_server->connections.remove(this);
        deleteLater();
    });
}

// Not unregistering here: in ~EchoServer the private part is gone before the children are
// deleted. The set is kept exact by the disconnected handler and by close().
EchoConnection::~EchoConnection() = default;

void EchoConnection::abort()
{
    m_state = State::Closing;
    m_socket->abort();
}

void EchoConnection::pump()
{
    while (m_state == State::Reading) {
        const qint64 available = m_socket->bytesAvailable();
        if (available > 0) {
            const qsizetype old = m_in.size();
            m_in.resize(old + available);
            const qint64 got = m_socket->read(m_in.data() + old, available);
            m_in.resize(old + std::max<qint64>(got, 0));
        }
        // Parse everything buffered; stop as soon as an answer has to wait.
        bool needMore = false;
        while (m_state == State::Reading && !needMore) {
            qsizetype consumed = 0;
            const QByteArrayView unread = QByteArrayView(m_in).sliced(m_offset);
            switch (m_parser.next(unread, consumed)) {
            case HttpParser::Event::NeedMore:
                needMore = true;
                break;
            case HttpParser::Event::Head:
                onHead();
                break;
            case HttpParser::Event::Body:
                // Hashed as it streams through; the body is never held whole.
                m_hash.addData(m_parser.body());
                m_bodyLength += m_parser.body().size();
                break;
            case HttpParser::Event::MessageEnd:
                m_offset += consumed;
                consumed = 0;
                onMessageEnd();
                break;
            case HttpParser::Event::Error:
                respondParseError();
                return;
            }
            m_offset += consumed;
        }
        // Drop what was parsed; resize(0) keeps the capacity for the next request.
        if (m_offset == m_in.size()) {
            m_in.resize(0);
        } else if (m_offset > 0) {
            m_in.remove(0, m_offset);
        }
        m_offset = 0;
        if (m_state != State::Reading || m_socket->bytesAvailable() == 0) {
            return;
        }
    }
}

void EchoConnection::onHead()
{
    m_hash.reset();
    m_bodyLength = 0;
    const http::MessageHead &head = m_parser.head();
    if (head.versionMinor >= 1 && head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
        QByteArray interim;
        http::appendResponseHead(interim, http::ResponseHead { 100, {}, {} });
        m_socket->write(interim);
    }
}

void EchoConnection::onMessageEnd()
{
    const QByteArray &target = m_parser.head().target;
    if (target == "/_echo/reset") {
        abort();
        return;
    }
    if (target == "/_echo/hang") {
        m_state = State::Hanging;
        return;
    }
    qint64 wait = m_server->options.delay.count();
    if (target.startsWith("/_echo/sleep/")) {
        const qint64 ms = parseNumber(QByteArrayView(target).sliced(13));
        if (ms >= 0) {
            wait += ms;
        }
    }
    if (wait > 0) {
        m_state = State::Waiting;
        QTimer::singleShot(std::chrono::milliseconds(wait), this, [this] {
            if (m_state == State::Waiting) {
                m_state = State::Reading;
                answer();
                pump();
            }
        });
        return;
    }
    answer();
}

QByteArray EchoConnection::echoJson(const char *error) const
{
    const http::MessageHead &head = m_parser.head();
    QByteArrayView target = head.target;
    if (!target.startsWith('/') && target != QByteArrayView("*")) {
        // absolute-form: the path starts after "scheme://authority"
        const qsizetype scheme = target.indexOf("://");
        qsizetype pathStart = scheme < 0 ? target.size() : scheme + 3;
        while (pathStart < target.size() && target[pathStart] != '/' && target[pathStart] != '?') {
            ++pathStart;
        }
        target = target.sliced(pathStart);
    }
    const qsizetype question = target.indexOf('?');
    QByteArrayView path = question < 0 ? target : target.first(question);
    const QByteArrayView query = question < 0 ? QByteArrayView() : target.sliced(question + 1);
    if (path.isEmpty()) {
        path = "/";
    }

    // Repeated headers merge (case-insensitively) in first-seen order.
    QList<std::pair<QByteArray, QByteArray>> merged;
    merged.reserve(head.headers.size());
    for (const http::Header &h : head.headers) {
        const QByteArray name = lowerAscii(h.name);
        auto it = std::find_if(merged.begin(), merged.end(), [&name](const auto &p) { return p.first == name; });
        if (it == merged.end()) {
            merged.append({ name, h.value });
        } else {
            it->second += ", " + h.value;
        }
    }

    QByteArray json;
    json.reserve(512);
    json += "{\"name\":";
    json += m_server->nameJson;
    json += ",\"method\":";
    appendJsonString(json, head.method);
    json += ",\"path\":";
    appendJsonString(json, path);
    json += ",\"query\":";
    appendJsonString(json, query);
    json += ",\"headers\":{";
    for (qsizetype i = 0; i < merged.size(); ++i) {
        if (i > 0) {
            json += ',';
        }
        appendJsonString(json, merged[i].first);
        json += ':';
        appendJsonString(json, merged[i].second);
    }
    json += "},\"body_length\":";
    json += QByteArray::number(m_bodyLength);
    json += ",\"body_sha256\":\"";
    json += m_hash.result().toHex();
    json += '"';
    if (error) {
        json += ",\"error\":";
        appendJsonString(json, error);
    }
    json += "}\n";
    return json;
}

void EchoConnection::answer()
{
    const http::MessageHead &head = m_parser.head();
    const QByteArray &target = head.target;
    const bool close = !head.keepAlive || target == "/_echo/close";

    if (target.startsWith("/_echo/bytes/") || target.startsWith("/_echo/chunked/")) {
        const bool chunked = target.startsWith("/_echo/chunked/");
        const qint64 size = parseNumber(QByteArrayView(target).sliced(chunked ? 15 : 13));
        if (size < 0) {
            writeSimple(400, "{\"error\":\"bad_request\",\"message\":\"/_echo/bytes/N needs a byte count\"}\n", close);
            return;
        }
        startStream(size, chunked);
        m_streamClose = close;
        continueStream();
        return;
    }
    if (target.startsWith("/_echo/status/")) {
        const qint64 status = parseNumber(QByteArrayView(target).sliced(14));
        if (status < 200 || status > 599) {
            writeSimple(400, "{\"error\":\"bad_request\",\"message\":\"/_echo/status/N needs 200..599\"}\n", close);
            return;
        }
        writeSimple(int(status), echoJson(nullptr), close);
        return;
    }
    const double failRate = m_server->options.failRate;
    if (failRate > 0 && !target.startsWith("/_echo/") && m_server->rng.generateDouble() < failRate) {
        writeSimple(500, echoJson("injected failure"), close);
        return;
    }
    writeSimple(200, echoJson(nullptr), close);
}

void EchoConnection::writeSimple(int status, const QByteArray &body, bool close)
{
    const http::MessageHead &head = m_parser.head();
    const bool noBody = status == 204 || status == 304;
    http::ResponseHead answer { status, {}, { { "Server", "gatehouse-echo" } } };
    if (!noBody) {
        answer.add("Content-Type", "application/json");
        answer.add("Content-Length", QByteArray::number(body.size()));
    }
    addConnectionHeader(answer, close);
    QByteArray out;
    out.reserve(160 + body.size());
    http::appendResponseHead(out, answer);
    if (!noBody && head.method != "HEAD") {
        out += body;
    }
    // One write per answer: head and body in one segment (PERFORMANCE.md, item 1).
    m_socket->write(out);
    responseDone(close);
}

void EchoConnection::addConnectionHeader(http::ResponseHead &answer, bool close) const
{
    if (close) {
        answer.add("Connection", "close");
    } else if (m_parser.head().versionMinor == 0) {
        answer.add("Connection", "keep-alive");
    }
}

void EchoConnection::startStream(qint64 size, bool chunked)
{
    const http::MessageHead &head = m_parser.head();
    http::ResponseHead answer { 200, {}, { { "Server", "gatehouse-echo" }, { "Content-Type", "application/octet-stream" } } };
    if (chunked) {
        answer.add("Transfer-Encoding", "chunked");
    } else {
        answer.add("Content-Length", QByteArray::number(size));
    }
    addConnectionHeader(answer, !head.keepAlive || head.target == "/_echo/close");
    QByteArray out;
    http::appendResponseHead(out, answer);
    m_socket->write(out);
    m_state = State::Streaming;
    m_streamChunked = chunked;
    m_streamLeft = head.method == "HEAD" ? 0 : size;
    if (head.method == "HEAD") {
        m_streamChunked = false; // no body at all, not even the last chunk
    }
}

void EchoConnection::continueStream()
{
    // Produce the body only as fast as the client takes it, so any size runs in constant memory.
    const QByteArray &block = streamBlock();
    while (m_state == State::Streaming && m_streamLeft > 0 && m_socket->bytesToWrite() < kWriteHighWater) {
        const qint64 n = std::min(m_streamLeft, kStreamBlock);
        // fromRawData: no copy of the shared block.
        const QByteArray piece = QByteArray::fromRawData(block.constData(), n);
        if (m_streamChunked) {
            m_socket->write(QByteArray::number(n, 16) + "\r\n" + piece + "\r\n");
        } else {
            m_socket->write(piece);
        }
        m_streamLeft -= n;
    }
    if (m_state == State::Streaming && m_streamLeft == 0) {
        if (m_streamChunked) {
            m_socket->write("0\r\n\r\n");
        }
        responseDone(m_streamClose);
        if (m_state == State::Reading) {
            pump();
        }
    }
}

void EchoConnection::responseDone(bool close)
{
    if (close) {
        m_state = State::Closing;
        m_socket->disconnectFromHost(); // after the queued bytes are written
        return;
    }
    m_state = State::Reading;
}

void EchoConnection::respondParseError()
{
    int status = 400;
    const char *code = "bad_request";
    switch (m_parser.error()) {
    case http::ParseStatus::HeadersTooLarge:
        status = 431;
        code = "headers_too_large";
        break;
    case http::ParseStatus::BodyTooLarge:
        status = 413;
        code = "body_too_large";
        break;
    case http::ParseStatus::BadMethod:
        status = 501;
        code = "not_implemented";
        break;
    default:
        break;
    }
    QByteArray body = "{\"error\":\"";
    body += code;
    body += "\",\"message\":";
    appendJsonString(body, m_parser.errorText());
    body += "}\n";
    QByteArray out;
    http::appendResponseHead(out, { status, {}, { { "Server", "gatehouse-echo" }, { "Content-Type", "application/json" },
                                                  { "Content-Length", QByteArray::number(body.size()) }, { "Connection", "close" } } });
    out += body;
    m_state = State::Closing;
    m_socket->write(out);
    m_socket->disconnectFromHost();
}

EchoServer::EchoServer(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<EchoServerPrivate>())
{
    d->options = std::move(options);
    d->options.failRate = std::clamp(d->options.failRate, 0.0, 1.0);
    appendJsonString(d->nameJson, d->options.name.toUtf8());
    // Seeded once per server: GATEHOUSE_ECHO_SEED makes --fail-rate runs reproducible.
    bool seeded = false;
    const quint32 seed = quint32(qEnvironmentVariableIntValue("GATEHOUSE_ECHO_SEED", &seeded));
    d->rng.seed(seeded ? seed : QRandomGenerator::global()->generate());
    d->server = new QTcpServer(this);
    d->server->setListenBacklogSize(1024);
    d->server->setMaxPendingConnections(1024);
    connect(d->server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = d->server->nextPendingConnection()) {
            d->connections.insert(new EchoConnection(d.get(), socket, this));
        }
    });
}

EchoServer::~EchoServer()
{
    close();
}

bool EchoServer::listen(const QHostAddress &address, quint16 port)
{
    if (!d->server->listen(address, port)) {
        d->errorString = d->server->errorString();
        return false;
    }
    d->errorString.clear();
    return true;
}

quint16 EchoServer::serverPort() const
{
    return d->server->serverPort();
}

QHostAddress EchoServer::serverAddress() const
{
    return d->server->serverAddress();
}

QString EchoServer::errorString() const
{
    return d->errorString;
}

void EchoServer::close()
{
    d->server->close();
    const QSet<EchoConnection *> connections = std::exchange(d->connections, {});
    for (EchoConnection *connection : connections) {
        connection->abort();
        // deleteLater: close() may run inside one of this connection's own signal handlers.
        connection->deleteLater();
    }
}

} // namespace gatehouse::services
