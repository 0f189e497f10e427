#include "ClientSession.h"

#include <QDateTime>

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/core/Worker.h"
#include "engine/http/HopByHop.h"
#include "engine/http/LocalResponse.h"
#include "engine/http/WebSocketAccept.h"
#include "engine/pipeline/Compression.h"
#include "engine/pipeline/LoadBalanceStage.h"
#include "engine/pipeline/Pipeline.h"
#include "engine/pipeline/RequestIds.h"
#include "engine/pipeline/RequestIntake.h"

namespace gatehouse::engine {

namespace {

using Clock = ClientSession::Clock;

// Above this much unsent output on one side, we stop reading from the other (back-pressure).
constexpr qsizetype kHighWater = 256 * 1024;
// Bytes written to the client in one batch before a body chunk goes out on its own.
constexpr qsizetype kBatchLimit = 16 * 1024;
// Pipelined requests waiting behind the current one are buffered up to this much.
constexpr qsizetype kMaxPipelined = 256 * 1024;
// One connection's pipelined requests served in one wake-up before other connections run.
constexpr int kMaxRequestsPerWakeUp = 16;
// How long a closing connection keeps reading and dropping a client's unwanted bytes.
constexpr std::chrono::seconds kLingerTime { 2 };
// A refused target goes into the log only up to this long.
constexpr qsizetype kLoggedTargetBytes = 1024;

// "gateway;dur=0.214, upstream;dur=12.030" (W3C Server-Timing, milliseconds): browser dev tools
// show where the time of a request went. The gateway's share is everything but the upstream's
// answer to the attempt that served.
QByteArray serverTiming(double totalMs, double upstreamMs)
{
    QByteArray value = "gateway;dur=" + QByteArray::number(std::max(0.0, totalMs - std::max(0.0, upstreamMs)), 'f', 3);
    if (upstreamMs >= 0) {
        value += ", upstream;dur=" + QByteArray::number(upstreamMs, 'f', 3);
    }
    return value;
}

double msBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

bool isIdempotent(QByteArrayView method)
{
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE"
        || method == "PUT" || method == "DELETE";
}

void appendChunk(QByteArray &out, QByteArrayView chunk)
{
    out.append(QByteArray::number(chunk.size(), 16));
    out.append("\r\n");
    out.append(chunk);
    out.append("\r\n");
}

http::HttpParser::Limits requestLimits(const profile::Limits &limits)
{
    return { limits.maxHeaderBytes, limits.maxBodyBytes };
}

} // namespace

// Routes the upstream socket's events to the session.
class ClientSession::UpstreamLeg final : public net::SocketHandler
{
public:
    explicit UpstreamLeg(ClientSession &owner)
        : session(owner)
    {
    }
    void attach(std::unique_ptr<net::Socket> connection, bool wasPooled)
    {
        socket = std::move(connection);
        socket->setHandler(this);
        reused = wasPooled;
        connected = wasPooled;
        responseBytesSeen = false;
    }
    bool active() const { return socket != nullptr; }
    void onReadable(net::Socket &) override { session.onUpstreamReadable(); }
    void onDrained(net::Socket &) override
    {
        if (!connected) {
            connected = true;
            session.onUpstreamConnected();
        } else {
            session.onUpstreamDrained();
        }
    }
    void onFailed(net::Socket &failed, int) override
    {
        if (!connected && !failed.tlsError().isEmpty()) {
            session.m_upstreamTlsError = failed.tlsError();
            session.onUpstreamFailed(Failure::Tls);
            return;
        }
        session.onUpstreamFailed(connected ? Failure::NoResponse : Failure::Connect);
    }

    ClientSession &session;
    std::unique_ptr<net::Socket> socket;
    bool reused = false;
    bool connected = false;
    bool responseBytesSeen = false;
};

ClientSession::ClientSession(Worker &worker, std::unique_ptr<net::Socket> socket,
                             std::shared_ptr<const ListenerOptions> listener, Clock::time_point now)
    : m_worker(worker)
    , m_client(std::move(socket))
    , m_listener(std::move(listener))
    , m_leg(std::make_unique<UpstreamLeg>(*this))
    , m_parser(http::HttpParser::Mode::Request, requestLimits(worker.config()->limits))
    , m_upstreamParser(http::HttpParser::Mode::Response)
    , m_config(worker.config())
    , m_resume(std::make_shared<const std::function<void()>>([this] { resumePipeline(); }))
{
    m_client->setHandler(this);
    m_headDeadline = now + m_config->limits.headerTimeout;
    m_lastActivity = now;
    const QHostAddress peer = m_client->peerAddress();
    m_ctx.clientIp = peer.toString().toLatin1();
    m_ctx.listener = m_listener.get();
    m_clientAddress = m_ctx.clientIp + ':' + QByteArray::number(m_client->peerPort());
    m_event.client = m_clientAddress;
}

ClientSession::~ClientSession()
{
    m_tunnel.reset();
    m_leg->socket.reset();
    m_client.reset();
}

// ---- client side -------------------------------------------------------------------------

void ClientSession::onReadable(net::Socket &)
{
    if (m_closed) {
        return;
    }
    if (m_lingering) {
        const net::Socket::ReadResult dropped = m_client->readInto(m_in);
        m_in.resize(0);
        if (dropped == net::Socket::ReadResult::Eof || dropped == net::Socket::ReadResult::Error) {
            close();
        }
        return;
    }
    const net::Socket::ReadResult result = m_client->readInto(m_in);
    switch (result) {
    case net::Socket::ReadResult::Data:
        m_lastActivity = Clock::now();
        break;
    case net::Socket::ReadResult::WouldBlock:
        return;
    case net::Socket::ReadResult::Eof:
        m_clientEof = true;
        m_client->setReadEnabled(false);
        if (m_phase == RequestPhase::Head && !m_parser.inMessage() && m_inPos == m_in.size()
            && !m_proxying) {
            close(); // a clean close between requests
            return;
        }
        if (m_phase != RequestPhase::Done && m_inPos == m_in.size()) {
            close(); // the client gave up mid-request
            return;
        }
        break;
    case net::Socket::ReadResult::Error:
        close();
        return;
    }
    processInput();
}

void ClientSession::processInput()
{
    // Re-entered from a callback (a pooled upstream is ready at once): the outer loop goes on.
    if (m_inProcessInput) {
        return;
    }
    m_inProcessInput = true;
    m_requestsThisWakeUp = 0;
    processInputLoop();
    m_inProcessInput = false;
}

void ClientSession::resume()
{
    m_yielded = false;
    processInput();
}

// SPEC §7.1, one client cannot hurt the others: a connection whose answers pile up unread is not
// read from (its requests would only grow the pile), and one that pipelines many requests
// takes turns with the others instead of holding the worker.
bool ClientSession::mustPauseInput()
{
    if (m_client->pendingOutput() > kHighWater) {
        m_waitingForClientDrain = true; // onDrained resumes
        m_client->setReadEnabled(false);
        return true;
    }
    if (m_requestsThisWakeUp >= kMaxRequestsPerWakeUp && m_inPos < m_in.size()) {
        if (!m_yielded) {
            m_yielded = true;
            m_worker.resumeLater(this);
        }
        m_client->setReadEnabled(false);
        return true;
    }
    return false;
}

void ClientSession::processInputLoop()
{
    while (!m_closed && !m_closing) {
        if (m_phase == RequestPhase::Done) {
            // The response is still on its way; later pipelined requests wait in m_in.
            if (m_in.size() - m_inPos > kMaxPipelined) {
                m_client->setReadEnabled(false);
            }
            return;
        }
        if (m_paused) {
            m_client->setReadEnabled(false); // resumePipeline reads on
            return;
        }
        if (m_phase == RequestPhase::Head && mustPauseInput()) {
            return;
        }
        if (m_phase == RequestPhase::Body && m_proxying && m_hasBody) {
            if (!m_leg->active() || !m_leg->connected || m_leg->socket->pendingOutput() > kHighWater) {
                // Wait for the connect or for the upstream to drain; don't read further.
                m_client->setReadEnabled(false);
                return;
            }
        }
        qsizetype consumed = 0;
        const QByteArrayView input(m_in.constData() + m_inPos, m_in.size() - m_inPos);
        const http::HttpParser::Event event = m_parser.next(input, consumed);
        m_inPos += consumed;
        switch (event) {
        case http::HttpParser::Event::NeedMore:
            if (m_inPos == m_in.size()) {
                m_in.resize(0);
                m_inPos = 0;
            } else if (m_inPos > 0) {
                m_in.remove(0, m_inPos);
                m_inPos = 0;
            }
            if (!m_clientEof && !m_client->readEnabled()) {
                m_client->setReadEnabled(true);
            }
            if (m_clientEof && m_phase != RequestPhase::Done) {
                close();
            }
            return;
        case http::HttpParser::Event::Head:
            onRequestHead();
            break;
        case http::HttpParser::Event::Body:
            m_clientBytesIn += m_parser.body().size();
            m_requestBody.append(m_parser.body());
            if (!m_discardBody) {
                forwardBody(m_parser.body());
            }
            break;
        case http::HttpParser::Event::MessageEnd:
            onRequestBodyEnd();
            break;
        case http::HttpParser::Event::Error: {
            switch (m_parser.error()) {
            case http::ParseStatus::HeadersTooLarge:
                sendErrorAndClose(431, "headers_too_large", QStringLiteral("request head exceeds max_header_bytes"));
                break;
            case http::ParseStatus::BodyTooLarge:
                sendErrorAndClose(413, "body_too_large", QStringLiteral("request body exceeds max_body_bytes"));
                break;
            case http::ParseStatus::BadMethod:
                sendErrorAndClose(501, "not_implemented", QStringLiteral("method not supported"));
                break;
            default:
                sendErrorAndClose(400, "bad_request",
                                  QStringLiteral("malformed request: %1").arg(QString::fromLatin1(m_parser.errorText())));
                break;
            }
            return;
        }
        }
    }
}

void ClientSession::onRequestHead()
{
    const Clock::time_point now = Clock::now();
    const http::MessageHead &head = m_parser.head();
    m_requestStart = now;
    ++m_requestsThisWakeUp;
    m_config = m_worker.config();
    m_ctx.config = m_config;
    m_ctx.workerIndex = m_worker.index();
    m_ctx.resume = ResumeHandle(m_resume);
    takeInRequest(m_ctx, head);
    // Body until the parser reports the message end, even for a bodyless request: that event
    // is still to come and belongs to this request, not the next one.
    m_phase = RequestPhase::Body;
    m_hasBody = head.chunked || head.contentLength > 0;
    // After an upgrade request frames may follow the head, whatever the answer: the connection
    // ends after it unless the upstream switches protocols.
    m_keepAlive = head.keepAlive && !m_draining && !head.upgrade;

    m_event.timeMs = QDateTime::currentMSecsSinceEpoch();
    m_event.requestId = m_ctx.requestId;
    m_event.method = head.method;
    if (m_worker.observed()) {
        m_event.capture = m_worker.captureArchive();
        m_event.requestHeaders = m_worker.captureArchive()->storeHeaders(head.headers);
    }
    const BodyCapturePolicy bodies = m_worker.bodyCapture();
    m_requestBody.begin(bodies);
    m_responseBody.begin(bodies);
    m_event.host = m_ctx.hostHeader;
    if (m_ctx.target.valid) {
        m_event.path = m_ctx.target.path;
        if (!m_ctx.target.query.isEmpty()) {
            m_event.path += '?' + m_ctx.target.query;
        }
    } else {
        m_event.path = head.target.left(kLoggedTargetBytes); // what was refused, for the log
    }
    runPipeline();
}

void ClientSession::runPipeline()
{
    switch (m_worker.pipeline().run(m_ctx)) {
    case Pipeline::Outcome::Paused:
        m_paused = true; // the body and later requests wait unread until resumePipeline
        return;
    case Pipeline::Outcome::Respond:
        continueAfterPipeline(true);
        return;
    case Pipeline::Outcome::Forward:
        continueAfterPipeline(false);
        return;
    }
}

void ClientSession::resumePipeline()
{
    if (!m_paused || m_closed) {
        return;
    }
    m_paused = false;
    runPipeline();
    if (!m_paused) {
        processInput();
    }
}

void ClientSession::continueAfterPipeline(bool respond)
{
    if (m_ctx.canary) {
        m_event.canary = *m_ctx.canary;
    }
    if (respond) {
        respondLocally();
    } else {
        startProxying();
    }
}

void ClientSession::startProxying()
{
    const http::MessageHead &head = *m_ctx.head;
    m_proxying = true;
    if (m_hasBody && head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0
        && head.versionMinor >= 1) {
        // We stream the body ourselves, so we answer the expectation rather than the upstream.
        m_client->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    startAttempt();
}

void ClientSession::forwardBody(QByteArrayView chunk)
{
    if (!m_leg->active()) {
        return;
    }
    m_bodyForwardStarted = true;
    if (m_parser.head().chunked) {
        QByteArray framed;
        framed.reserve(chunk.size() + 16);
        appendChunk(framed, chunk);
        m_leg->socket->write(framed);
    } else {
        m_leg->socket->write(chunk);
    }
}

void ClientSession::onRequestBodyEnd()
{
    if (m_phase == RequestPhase::Body && m_proxying && m_leg->active() && m_parser.head().chunked) {
        m_leg->socket->write("0\r\n\r\n");
    }
    m_phase = RequestPhase::Done;
    m_event.bytesIn = m_clientBytesIn;
    m_headDeadline = Clock::time_point::max();
    maybeFinishCycle();
}

void ClientSession::respondLocally()
{
    const http::MessageHead &head = *m_ctx.head;
    if (m_ctx.route) {
        m_event.route = m_ctx.route->name;
    }
    if (m_hasBody) {
        // Read and drop the body so the connection stays usable, unless the client is still
        // waiting for a 100 Continue: then it won't send the body at all, so close instead.
        if (head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
            m_keepAlive = false;
        }
        m_discardBody = true;
    }
    // A stage that ends the connection refused the request: the client may still be sending.
    const bool refused = m_ctx.response.closeConnection;
    m_ctx.response.closeConnection = refused || !m_keepAlive;
    m_keepAlive = !m_ctx.response.closeConnection;
    m_ctx.response.headers.append(m_ctx.responseHeaders);
    if (m_ctx.config->serverTiming) {
        m_ctx.response.headers.append({ "Server-Timing", serverTiming(msBetween(m_requestStart, Clock::now()), -1) });
    }
    m_event.status = m_ctx.response.status;
    m_event.error = m_ctx.response.error;
    LocalResponseLayout layout;
    const QByteArray bytes = renderLocalResponse(m_ctx.response, m_ctx.requestId, m_keepAlive, head.method == "HEAD", &layout);
    keepLocalResponse(bytes, layout);
    writeToClient(bytes);
    flushClientBatch();
    m_responseDone = true;
    if (!m_keepAlive) {
        m_lingerOnClose = m_hasBody || refused; // the body was not read
        m_phase = RequestPhase::Done;
        maybeFinishCycle();
        return;
    }
    maybeFinishCycle();
}

void ClientSession::sendErrorAndClose(int status, const char *code, const QString &message)
{
    if (m_responseStarted) {
        close();
        return;
    }
    m_ctx.response = LocalResponse {};
    m_ctx.response.status = status;
    m_ctx.response.error = code;
    m_ctx.response.message = message;
    m_ctx.response.closeConnection = true;
    m_ctx.response.headers = m_ctx.responseHeaders;
    if (m_ctx.config && m_ctx.config->serverTiming && !m_ctx.requestId.isEmpty()) {
        m_ctx.response.headers.append({ "Server-Timing", serverTiming(msBetween(m_requestStart, Clock::now()), m_upstreamMs) });
    }
    if (m_ctx.requestId.isEmpty()) {
        m_ctx.requestId = newRequestId();
        m_event.requestId = m_ctx.requestId;
        m_event.timeMs = QDateTime::currentMSecsSinceEpoch();
        m_requestStart = Clock::now();
    }
    m_keepAlive = false;
    m_event.status = status;
    m_event.error = code;
    const bool head = m_ctx.head && m_ctx.head->method == "HEAD";
    LocalResponseLayout layout;
    const QByteArray bytes = renderLocalResponse(m_ctx.response, m_ctx.requestId, false, head, &layout);
    keepLocalResponse(bytes, layout);
    writeToClient(bytes);
    flushClientBatch();
    m_responseDone = true;
    // Before the request's end (a body beyond max_body_bytes, a bad head), more may be coming.
    m_lingerOnClose = m_lingerOnClose || m_phase != RequestPhase::Done;
    m_phase = RequestPhase::Done;
    releaseUpstream(false);
    maybeFinishCycle();
}

// ---- upstream side -----------------------------------------------------------------------

void ClientSession::startAttempt()
{
    const CompiledTarget &target = m_ctx.upstream->targets.at(m_ctx.targetIndex);
    ++m_attempts;
    m_attemptStart = Clock::now();
    if (m_attempts == 1) {
        m_event.queueMs = msBetween(m_requestStart, m_attemptStart);
    }
    m_event.connectMs = -1;
    m_attempt.begin(*m_ctx.upstream, m_ctx.targetIndex, m_ctx.breakerTicket, m_ctx.workerIndex);
    m_ctx.breakerTicket = {}; // a retry is no second probe
    m_upstreamDeadline = m_attemptStart + m_ctx.route->timeout;
    m_event.upstream = m_ctx.upstream->name;
    m_event.target = target.url;

    std::unique_ptr<net::Socket> socket = m_worker.pool().take(target.poolKey);
    const bool reused = socket != nullptr;
    if (!socket) {
        int error = 0;
        socket = net::Socket::connectTo(target.address, target.port, nullptr, &error);
        if (!socket) {
            qCDebug(lcProxy) << "connect to" << target.url << "failed at once:" << error;
            onUpstreamFailed(Failure::Connect);
            return;
        }
        if (target.tls) {
            ssl_st *session = m_ctx.upstream->tls->newSession(target.tlsServerName);
            if (!session) {
                onUpstreamFailed(Failure::Connect);
                return;
            }
            socket->startClientTls(session, m_ctx.upstream->tls);
        }
        m_connectDeadline = m_attemptStart + m_ctx.upstream->connectTimeout;
    } else {
        m_connectDeadline = Clock::time_point::max();
    }
    m_leg->attach(std::move(socket), reused);
    if (m_attempts > 1) {
        m_upstreamParser.reset(); // the last attempt may have left a message half read
    }
    m_upstreamParser.expectNoBody(m_ctx.head->method == "HEAD");

    QByteArray head;
    head.reserve(64 + m_ctx.upstreamPath.size() + m_ctx.upstreamHeaders.size());
    head.append(m_ctx.head->method).append(' ').append(m_ctx.upstreamPath).append(" HTTP/1.1\r\nHost: ");
    head.append(target.hostHeader).append("\r\n").append(m_ctx.upstreamHeaders).append("\r\n");
    m_leg->socket->write(head);
    if (reused) {
        onUpstreamConnected();
    }
}

void ClientSession::onUpstreamConnected()
{
    m_connectDeadline = Clock::time_point::max();
    m_event.connectMs = m_leg->reused ? 0 : msBetween(m_attemptStart, Clock::now());
    if (m_phase == RequestPhase::Body) {
        processInput();
    }
}

void ClientSession::onUpstreamDrained()
{
    if (m_phase == RequestPhase::Body) {
        processInput();
    }
}

void ClientSession::onUpstreamReadable()
{
    if (!m_leg->active()) {
        return;
    }
    const net::Socket::ReadResult result = m_leg->socket->readInto(m_upIn);
    switch (result) {
    case net::Socket::ReadResult::Data:
        m_leg->responseBytesSeen = true;
        m_lastActivity = Clock::now();
        processUpstreamInput();
        return;
    case net::Socket::ReadResult::WouldBlock:
        return;
    case net::Socket::ReadResult::Eof:
    case net::Socket::ReadResult::Error:
        break;
    }
    // The upstream closed: a close-delimited body ends here; anything else is a failure.
    if (m_responseStarted && !m_responseDone) {
        const http::HttpParser::Event event = m_upstreamParser.finish();
        if (event == http::HttpParser::Event::MessageEnd) {
            m_leg->socket->close();
            onResponseEnd();
            return;
        }
        close();
        return;
    }
    onUpstreamFailed(m_leg->responseBytesSeen ? Failure::BadResponse : Failure::NoResponse);
}

void ClientSession::processUpstreamInput()
{
    while (m_leg->active() && !m_closed) {
        if (m_client->pendingOutput() > kHighWater) {
            m_leg->socket->setReadEnabled(false); // resumes in onDrained
            break;
        }
        qsizetype consumed = 0;
        const QByteArrayView input(m_upIn.constData() + m_upInPos, m_upIn.size() - m_upInPos);
        const http::HttpParser::Event event = m_upstreamParser.next(input, consumed);
        m_upInPos += consumed;
        if (event == http::HttpParser::Event::NeedMore) {
            break;
        }
        if (event == http::HttpParser::Event::Error) {
            qCWarning(lcProxy) << "bad response from" << m_event.target << ':' << m_upstreamParser.errorText();
            onUpstreamFailed(Failure::BadResponse);
            return;
        }
        if (event == http::HttpParser::Event::Head) {
            if (m_upstreamParser.head().status == 101) {
                if (!m_ctx.websocket || !http::acceptsWebSocket(*m_ctx.head, m_upstreamParser.head())) {
                    // Switching protocols nobody asked for, or not to the WebSocket handshake the
                    // client started: a raw tunnel would carry requests past the gateway.
                    qCWarning(lcProxy) << "upstream" << m_event.target << "answered 101 without accepting the WebSocket handshake";
                    onUpstreamFailed(Failure::BadResponse);
                    return;
                }
                startTunnel();
                return;
            }
            if (m_upstreamParser.head().status < 200) {
                continue; // interim (100 Continue was answered by us already)
            }
            onResponseHead();
        } else if (event == http::HttpParser::Event::Body) {
            writeResponseBody(m_upstreamParser.body());
        } else if (event == http::HttpParser::Event::MessageEnd) {
            if (m_upstreamParser.head().status < 200) {
                continue;
            }
            onResponseEnd();
            return;
        }
    }
    if (m_upInPos == m_upIn.size()) {
        m_upIn.resize(0);
        m_upInPos = 0;
    } else if (m_upInPos > 64 * 1024) {
        m_upIn.remove(0, m_upInPos);
        m_upInPos = 0;
    }
    flushClientBatch();
}

void ClientSession::onResponseHead()
{
    const http::MessageHead &response = m_upstreamParser.head();
    const http::MessageHead &request = *m_ctx.head;
    m_upstreamMs = msBetween(m_attemptStart, Clock::now());
    m_attempt.responded(response.status, m_upstreamMs);
    if (retryOnResponse()) {
        return;
    }
    m_responseStarted = true;
    m_upstreamDeadline = Clock::time_point::max();
    m_event.status = response.status;
    if (m_event.capture) {
        m_event.responseHeaders = m_worker.captureArchive()->storeHeaders(response.headers);
    }

    const bool bodyless = request.method == "HEAD" || response.status == 204 || response.status == 304;
    const bool compressible = m_ctx.route && m_ctx.route->compress && isCompressibleType(response.header("content-type"));
    m_gzip.reset();
    if (compressible && shouldCompress(request, response)) {
        m_gzip = std::make_unique<http::GzipStream>();
    }
    const qint64 contentLength = m_gzip ? -1 : response.contentLength; // gzip's length is known only at the end
    m_responseChunked = false;
    m_responseCloseDelimited = false;
    if (!bodyless && contentLength < 0) {
        if (request.versionMinor >= 1) {
            m_responseChunked = true;
        } else {
            m_responseCloseDelimited = true;
            m_keepAlive = false;
        }
    }
    if (!response.keepAlive && m_phase != RequestPhase::Done) {
        // The upstream will close before our client finished sending: don't reuse the client.
        m_keepAlive = false;
    }

    QByteArray &out = m_clientBatch;
    out.append("HTTP/1.1 ").append(QByteArray::number(response.status)).append(' ');
    out.append(response.reason.isEmpty() ? reasonPhrase(response.status) : response.reason).append("\r\n");
    const http::HopByHop hopByHop(response);
    const auto isReplacedByUs = [this](QByteArrayView name) {
        return std::any_of(m_ctx.replacedResponseHeaders.cbegin(), m_ctx.replacedResponseHeaders.cend(),
                           [name](const QByteArray &replaced) { return name.compare(replaced, Qt::CaseInsensitive) == 0; });
    };
    for (const http::Header &header : response.headers) {
        if (hopByHop.contains(header.name) || header.name.compare("content-length", Qt::CaseInsensitive) == 0
            || header.name.compare("x-request-id", Qt::CaseInsensitive) == 0 || isReplacedByUs(header.name)) {
            continue;
        }
        if (m_gzip && header.name.compare("etag", Qt::CaseInsensitive) == 0 && !header.value.startsWith("W/")) {
            out.append("ETag: W/").append(header.value).append("\r\n"); // the bytes differ now
            continue;
        }
        out.append(header.name).append(": ").append(header.value).append("\r\n");
    }
    if (compressible) {
        out.append("Vary: Accept-Encoding\r\n");
    }
    if (m_gzip) {
        out.append("Content-Encoding: gzip\r\n");
    }
    for (const auto &[name, value] : m_ctx.responseHeaders) {
        out.append(name).append(": ").append(value).append("\r\n");
    }
    if (m_ctx.config && m_ctx.config->serverTiming) {
        out.append("Server-Timing: ").append(serverTiming(msBetween(m_requestStart, Clock::now()), m_upstreamMs)).append("\r\n");
    }
    if (contentLength >= 0 && (response.status != 204 && response.status != 304)) {
        out.append("Content-Length: ").append(QByteArray::number(contentLength)).append("\r\n");
    } else if (m_responseChunked) {
        out.append("Transfer-Encoding: chunked\r\n");
    }
    out.append("X-Request-ID: ").append(m_ctx.requestId).append("\r\n");
    if (m_ctx.canary) {
        out.append("X-Gatehouse-Canary: ").append(*m_ctx.canary ? "canary" : "stable").append("\r\n");
    }
    if (!m_keepAlive) {
        out.append("Connection: close\r\n");
    } else if (request.versionMinor == 0) {
        out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");
}

void ClientSession::startTunnel()
{
    const http::MessageHead &response = m_upstreamParser.head();
    m_upstreamMs = msBetween(m_attemptStart, Clock::now());
    m_attempt.responded(101, m_upstreamMs);
    m_attempt.finish(false);
    m_responseStarted = true;
    m_upstreamDeadline = Clock::time_point::max();
    m_event.status = 101;
    if (m_event.capture) {
        m_event.responseHeaders = m_worker.captureArchive()->storeHeaders(response.headers);
    }
    QByteArray &out = m_clientBatch;
    out.append("HTTP/1.1 101 Switching Protocols\r\n");
    const http::HopByHop hopByHop(response);
    for (const http::Header &header : response.headers) {
        if (!hopByHop.contains(header.name) && header.name.compare("x-request-id", Qt::CaseInsensitive) != 0) {
            out.append(header.name).append(": ").append(header.value).append("\r\n");
        }
    }
    for (const auto &[name, value] : m_ctx.responseHeaders) {
        out.append(name).append(": ").append(value).append("\r\n");
    }
    out.append("Connection: Upgrade\r\nUpgrade: websocket\r\nX-Request-ID: ").append(m_ctx.requestId).append("\r\n\r\n");
    flushClientBatch();
    const QByteArrayView toClient(m_upIn.constData() + m_upInPos, m_upIn.size() - m_upInPos);
    const QByteArrayView toUpstream(m_in.constData() + m_inPos, m_in.size() - m_inPos);
    m_tunnel = std::make_unique<Tunnel>(*m_client, std::move(m_leg->socket), toUpstream, toClient,
                                        [this] { onTunnelEnded(); });
    m_upIn.resize(0);
    m_upInPos = 0;
    m_in.resize(0);
    m_inPos = 0;
}

void ClientSession::onTunnelEnded()
{
    m_client->setHandler(this);
    m_clientBytesIn = m_tunnel->bytesFromClient();
    m_event.bytesOut = m_tunnel->bytesFromUpstream();
    recordEvent(Clock::now());
    close();
}

// The gateway's own answer, kept as an upstream's would be: its header lines and its body.
void ClientSession::keepLocalResponse(const QByteArray &rendered, const LocalResponseLayout &layout)
{
    const QByteArrayView bytes(rendered);
    m_event.bytesOut = rendered.size() - layout.body;
    if (m_worker.observed()) {
        // The lines up to the blank one that ends the head, in the archive's "name: value\r\n" form.
        m_event.capture = m_worker.captureArchive();
        m_event.responseHeaders = m_worker.captureArchive()->store(bytes.sliced(layout.headerLines, layout.body - 2 - layout.headerLines));
    }
    m_responseBody.append(bytes.sliced(layout.body));
}

void ClientSession::writeResponseBody(QByteArrayView chunk)
{
    m_responseBody.append(chunk);
    if (m_gzip) {
        m_gzipOut.resize(0);
        if (!m_gzip->compress(chunk, m_gzipOut)) {
            close(); // zlib out of memory: nothing sane can follow the bytes already sent
            return;
        }
        chunk = m_gzipOut;
    }
    writeResponseBodyBytes(chunk);
}

void ClientSession::writeResponseBodyBytes(QByteArrayView chunk)
{
    if (chunk.isEmpty()) {
        return; // an empty chunk would end a chunked body
    }
    m_event.bytesOut += chunk.size();
    if (m_responseChunked) {
        if (m_clientBatch.size() + chunk.size() > kBatchLimit) {
            flushClientBatch();
        }
        appendChunk(m_clientBatch, chunk);
        if (m_clientBatch.size() > kBatchLimit) {
            flushClientBatch();
        }
        return;
    }
    if (m_clientBatch.size() + chunk.size() <= kBatchLimit) {
        m_clientBatch.append(chunk);
        return;
    }
    flushClientBatch();
    writeToClient(chunk);
}

void ClientSession::onResponseEnd()
{
    if (m_gzip) {
        QByteArray tail;
        const bool ok = m_gzip->finish(tail);
        m_gzip.reset();
        if (!ok) {
            close();
            return;
        }
        writeResponseBodyBytes(tail);
    }
    if (m_responseChunked) {
        m_clientBatch.append("0\r\n\r\n");
    }
    flushClientBatch();
    m_responseDone = true;
    m_attempt.finish(false);
    const bool reusable = m_upstreamParser.head().keepAlive && m_phase == RequestPhase::Done
        && m_upInPos == m_upIn.size();
    if (m_phase == RequestPhase::Body) {
        // The upstream answered before the request body was all sent (an early 413, say):
        // the rest of the body has nowhere to go, so this connection ends here.
        m_keepAlive = false;
        m_lingerOnClose = true;
        m_phase = RequestPhase::Done;
    }
    releaseUpstream(reusable);
    if (m_responseCloseDelimited) {
        m_keepAlive = false;
    }
    maybeFinishCycle();
}

void ClientSession::releaseUpstream(bool reusable)
{
    if (!m_leg->active()) {
        return;
    }
    // The leg stays (we may be inside its callback); only the socket moves on.
    std::unique_ptr<net::Socket> socket = std::move(m_leg->socket);
    m_upIn.resize(0);
    m_upInPos = 0;
    if (reusable && socket->isOpen() && socket->pendingOutput() == 0) {
        m_worker.pool().put(m_ctx.upstream->targets.at(m_ctx.targetIndex).poolKey, std::move(socket),
                            m_ctx.upstream->keepalive);
    } else {
        socket->setHandler(nullptr);
        socket->close();
    }
}

bool ClientSession::retryAllowed(Failure failure) const
{
    if (m_attempts > m_ctx.route->retries || m_responseStarted || m_bodyForwardStarted) {
        return false;
    }
    if (failure == Failure::BadResponse) {
        return false;
    }
    if (failure == Failure::Connect || failure == Failure::Tls) {
        // Nothing reached the upstream, so a retry adds no load there: no budget needed.
        return true;
    }
    return isIdempotent(m_ctx.head->method)
        && m_ctx.upstream->state->retryBudget.tryRetry(m_ctx.upstream->retryBudget, steadyNowMs(), m_ctx.workerIndex);
}

// A 502/503/504 from the upstream for an idempotent request with retries left goes to another
// target instead of the client, as nginx's proxy_next_upstream http_50x does. The answer is
// dropped with its connection.
bool ClientSession::retryOnResponse()
{
    const int status = m_upstreamParser.head().status;
    if ((status != 502 && status != 503 && status != 504) || !retryAllowed(Failure::ErrorStatus)) {
        return false;
    }
    const int answered = m_ctx.targetIndex;
    if (!LoadBalanceStage::pickTarget(m_ctx, steadyNowMs())) {
        m_ctx.targetIndex = answered;
        return false;
    }
    m_attempt.finish(true);
    releaseUpstream(false);
    startAttempt();
    return true;
}

void ClientSession::onUpstreamFailed(Failure failure)
{
    if (m_closed) {
        return;
    }
    const bool reusedStale = m_leg->active() && m_leg->reused && !m_leg->responseBytesSeen && failure == Failure::NoResponse;
    releaseUpstream(false);
    if (reusedStale && !m_bodyForwardStarted) {
        // A pooled connection the upstream closed while idle: not a failed attempt.
        m_attempt.abandon();
        --m_attempts;
        startAttempt();
        return;
    }
    m_attempt.finish(true);
    if (m_responseStarted) {
        close(); // part of the response is out: all we can do is cut the connection
        return;
    }
    if (retryAllowed(failure) && LoadBalanceStage::pickTarget(m_ctx, steadyNowMs())) {
        startAttempt();
        return;
    }
    m_upstreamMs = msBetween(m_attemptStart, Clock::now());
    if (m_phase == RequestPhase::Body && m_hasBody) {
        m_keepAlive = false;
    }
    switch (failure) {
    case Failure::Timeout:
        sendErrorAndClose(504, "upstream_timeout", QStringLiteral("upstream %1 did not answer in time").arg(m_ctx.upstream->name));
        break;
    case Failure::Connect:
        // Nothing answered: "no healthy target" (SPEC §3), as Envoy answers a refused connect.
        sendErrorAndClose(503, "upstream_unavailable", QStringLiteral("could not connect to upstream %1").arg(m_ctx.upstream->name));
        break;
    case Failure::Tls:
        qCWarning(lcProxy).noquote() << "TLS with" << m_event.target << "failed:" << m_upstreamTlsError;
        sendErrorAndClose(502, "upstream_tls_failed", QStringLiteral("TLS with upstream %1 (%2) failed: %3")
                                                          .arg(m_ctx.upstream->name, m_event.target, m_upstreamTlsError));
        break;
    case Failure::NoResponse:
        sendErrorAndClose(502, "bad_gateway", QStringLiteral("upstream %1 closed the connection without an answer").arg(m_ctx.upstream->name));
        break;
    case Failure::BadResponse:
    case Failure::ErrorStatus:
        sendErrorAndClose(502, "bad_gateway", QStringLiteral("upstream %1 sent an invalid response").arg(m_ctx.upstream->name));
        break;
    }
}

// ---- cycle and connection ----------------------------------------------------------------

void ClientSession::maybeFinishCycle()
{
    if (m_phase != RequestPhase::Done || !m_responseDone || m_closed) {
        return;
    }
    const Clock::time_point now = Clock::now();
    recordEvent(now);
    if (!m_keepAlive || m_clientEof) {
        closeAfterFlush();
        return;
    }
    resetForNextRequest();
    m_headDeadline = now + m_config->limits.headerTimeout;
    processInput();
}

void ClientSession::recordEvent(Clock::time_point now)
{
    m_event.route = m_ctx.route ? m_ctx.route->name : QString();
    m_event.consumer = QString::fromUtf8(m_ctx.consumer);
    m_event.auth = m_ctx.authOutcome;
    if (m_ctx.route && m_ctx.route->jwt >= 0) {
        m_event.authProfile = m_ctx.config->jwt[std::size_t(m_ctx.route->jwt)].name;
    }
    m_event.rateLimited = m_ctx.rateLimited;
    m_event.secrets = m_ctx.config ? m_ctx.config->secretNames : nullptr; // the snapshot it ran on
    m_event.totalMs = msBetween(m_requestStart, now);
    m_event.upstreamMs = m_upstreamMs;
    m_event.attempts = m_attempts;
    m_event.bytesIn = m_clientBytesIn;
    const QByteArrayView requestBody = m_requestBody.kept();
    const QByteArrayView responseBody = m_responseBody.kept();
    if (!requestBody.isEmpty() || !responseBody.isEmpty()) {
        const std::shared_ptr<CaptureArchive> &archive = m_worker.captureArchive();
        m_event.capture = archive;
        if (!requestBody.isEmpty()) {
            m_event.requestBody = archive->store(requestBody);
            m_event.requestBodyTruncated = m_requestBody.truncated();
        }
        if (!responseBody.isEmpty()) {
            m_event.responseBody = archive->store(responseBody);
            m_event.responseBodyTruncated = m_responseBody.truncated();
        }
    }
    m_worker.record(std::move(m_event));
}

void ClientSession::resetForNextRequest()
{
    // The finished request's event was moved into the worker's batch: rebuild from members.
    const QByteArray clientIp = m_ctx.clientIp;
    m_event = TrafficEvent {};
    m_event.client = m_clientAddress;
    m_ctx = RequestContext {};
    m_ctx.clientIp = clientIp;
    m_ctx.listener = m_listener.get();
    m_phase = RequestPhase::Head;
    m_proxying = false;
    m_discardBody = false;
    m_responseStarted = false;
    m_responseDone = false;
    m_gzip.reset();
    m_responseChunked = false;
    m_responseCloseDelimited = false;
    m_keepAlive = true;
    m_lingerOnClose = false;
    m_bodyForwardStarted = false;
    m_hasBody = false;
    m_attempts = 0;
    m_clientBytesIn = 0;
    m_requestBody.reset();
    m_responseBody.reset();
    m_upstreamMs = -1;
    m_upstreamDeadline = Clock::time_point::max();
    m_connectDeadline = Clock::time_point::max();
}

void ClientSession::writeToClient(QByteArrayView bytes)
{
    if (!m_closed) {
        m_client->write(bytes);
    }
}

void ClientSession::flushClientBatch()
{
    if (!m_clientBatch.isEmpty()) {
        writeToClient(m_clientBatch);
        m_clientBatch.resize(0);
    }
}

void ClientSession::onDrained(net::Socket &)
{
    if (m_closing) {
        finishClose();
        return;
    }
    if (m_waitingForClientDrain) {
        m_waitingForClientDrain = false;
        processInput();
        if (m_closed) {
            return;
        }
    }
    if (m_leg->active() && !m_leg->socket->readEnabled()) {
        m_leg->socket->setReadEnabled(true);
        processUpstreamInput();
    }
}

void ClientSession::onFailed(net::Socket &, int)
{
    close();
}

void ClientSession::closeAfterFlush()
{
    m_closing = true;
    m_client->setReadEnabled(false);
    if (m_client->pendingOutput() == 0) {
        finishClose();
    }
}

// Closing a socket with unread input makes the kernel send a RST, and a client still sending
// its request then loses the answer we just wrote (curl reports a send failure instead of our
// 413). So when the client may still be sending, do what nginx's lingering close does:
// half-close, then read and drop its bytes until it closes or kLingerTime passes.
void ClientSession::finishClose()
{
    if (m_lingering) {
        return;
    }
    if (!m_lingerOnClose || m_clientEof) {
        close();
        return;
    }
    m_lingering = true;
    m_lingerDeadline = Clock::now() + kLingerTime;
    m_in.resize(0);
    m_inPos = 0;
    m_client->shutdownWriteWhenDrained();
    m_client->setReadEnabled(true);
}

void ClientSession::close()
{
    if (m_closed) {
        return;
    }
    m_closed = true;
    m_resume.reset(); // a paused stage's late resume finds nobody
    releaseUpstream(false);
    m_attempt.abandon();
    m_client->setHandler(nullptr);
    m_client->close();
    m_worker.sessionClosed(this);
}

void ClientSession::checkDeadlines(Clock::time_point now)
{
    if (m_closed) {
        return;
    }
    if (m_lingering) {
        if (now >= m_lingerDeadline) {
            close();
        }
        return;
    }
    if (m_tunnel) {
        if (now - m_tunnel->lastActivity() >= m_config->limits.idleTimeout) {
            m_tunnel->end();
        }
        return;
    }
    if (m_phase == RequestPhase::Head && now >= m_headDeadline) {
        if (m_in.size() == m_inPos && !m_parser.inMessage()) {
            close(); // an idle keep-alive connection: close quietly, as nginx does
        } else {
            sendErrorAndClose(408, "request_timeout", QStringLiteral("request head not complete within header_timeout"));
        }
        return;
    }
    if (m_leg->active() && now >= m_connectDeadline) {
        onUpstreamFailed(Failure::Connect);
        return;
    }
    if (m_leg->active() && now >= m_upstreamDeadline) {
        onUpstreamFailed(Failure::Timeout);
        return;
    }
    if (now - m_lastActivity >= m_config->limits.idleTimeout && (m_phase != RequestPhase::Head || m_proxying)) {
        if (m_phase == RequestPhase::Body && !m_responseStarted) {
            sendErrorAndClose(408, "request_timeout", QStringLiteral("request body stalled beyond idle_timeout"));
        } else {
            close();
        }
    }
}

void ClientSession::drain()
{
    m_draining = true;
    m_keepAlive = false;
    if (m_tunnel) {
        m_tunnel->end(); // long-lived by nature: a drain would wait for it until the timeout
        return;
    }
    if (m_phase == RequestPhase::Head && !m_proxying && !m_parser.inMessage() && m_in.size() == m_inPos) {
        closeAfterFlush();
    }
}

} // namespace gatehouse::engine
