#include "UpstreamExchange.h"

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/core/Exchange.h"
#include "engine/core/FlowControl.h"
#include "engine/core/UpstreamFailure.h"
#include "engine/core/Worker.h"
#include "engine/http/HeadWriter.h"
#include "engine/http/WebSocketAccept.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/upstream/TargetChoice.h"

namespace gatehouse::engine {

namespace {

using Clock = UpstreamExchange::Clock;


bool isIdempotent(QByteArrayView method)
{
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE"
        || method == "PUT" || method == "DELETE";
}

} // namespace

UpstreamExchange::UpstreamExchange(Worker &worker, Exchange &exchange)
    : m_worker(worker)
    , m_exchange(exchange)
    , m_parser(http::HttpParser::Mode::Response)
{
}

UpstreamExchange::~UpstreamExchange()
{
    m_socket.reset();
}

void UpstreamExchange::start(RequestContext &ctx, TrafficEvent &event, bool chunkedBody)
{
    abandon();
    m_ctx = &ctx;
    m_event = &event;
    m_chunkedBody = chunkedBody;
    m_attempts = 0;
    m_bodyStarted = false;
    m_answered = false;
    startAttempt();
}

void UpstreamExchange::startAttempt()
{
    RequestContext &ctx = *m_ctx;
    const CompiledTarget &target = ctx.upstream->targets.at(ctx.targetIndex);
    ++m_attempts;
    m_attemptStart = Clock::now();
    if (m_attempts == 1) {
        m_event->queueMs = msBetween(ctx.start, m_attemptStart);
    }
    m_event->connectMs = -1;
    m_attempt.begin(*ctx.upstream, ctx.targetIndex, ctx.breakerTicket, ctx.workerIndex);
    ctx.breakerTicket = {}; // a retry is no second probe
    m_answerDeadline = m_attemptStart + ctx.route->timeout;
    m_event->upstream = ctx.upstream->name;
    m_event->target = target.url;

    std::unique_ptr<net::Socket> socket = m_worker.pool().take(target.poolKey);
    m_reused = socket != nullptr;
    if (!socket) {
        int error = 0;
        socket = net::Socket::connectTo(target.address, target.port, nullptr, &error);
        if (!socket) {
            qCDebug(lcProxy) << "connect to" << target.url << "failed at once:" << error;
            fail(Failure::Connect);
            return;
        }
        if (target.tls) {
            ssl_st *session = ctx.upstream->tls->newSession(target.tlsServerName);
            if (!session) {
                fail(Failure::Connect);
                return;
            }
            socket->startClientTls(session, ctx.upstream->tls);
        }
        m_connectDeadline = m_attemptStart + ctx.upstream->connectTimeout;
    } else {
        m_connectDeadline = Clock::time_point::max();
    }
    m_socket = std::move(socket);
    m_socket->setHandler(this);
    m_link = m_reused ? Link::Connected : Link::Connecting;
    m_bytesSeen = false;
    if (m_attempts > 1) {
        m_parser.reset(); // the last attempt may have left a message half read
    }
    m_parser.expectNoBody(ctx.head->method == "HEAD");

    QByteArray head;
    http::appendRequestHead(head, ctx.head->method, ctx.upstreamPath, target.hostHeader, ctx.upstreamHeaders);
    m_socket->write(head);
    if (m_reused) {
        onConnected();
    }
}

bool UpstreamExchange::takesBody() const
{
    return m_socket && m_link == Link::Connected && m_socket->pendingOutput() <= kHighWater;
}

void UpstreamExchange::writeBody(QByteArrayView chunk)
{
    if (!m_socket) {
        return;
    }
    m_bodyStarted = true;
    if (!m_chunkedBody) {
        m_socket->write(chunk);
        return;
    }
    QByteArray framed;
    framed.reserve(chunk.size() + 16);
    framed.append(QByteArray::number(chunk.size(), 16)).append("\r\n").append(chunk).append("\r\n");
    m_socket->write(framed);
}

void UpstreamExchange::endBody()
{
    if (m_socket && m_chunkedBody) {
        m_socket->write("0\r\n\r\n");
    }
}

void UpstreamExchange::onConnected()
{
    m_connectDeadline = Clock::time_point::max();
    m_event->connectMs = m_reused ? 0 : msBetween(m_attemptStart, Clock::now());
    m_exchange.onUpstreamReady();
}

void UpstreamExchange::onDrained(net::Socket &)
{
    if (m_link == Link::Connecting) {
        m_link = Link::Connected;
        onConnected();
        return;
    }
    m_exchange.onUpstreamReady();
}

void UpstreamExchange::onFailed(net::Socket &failed, int)
{
    if (m_link == Link::Connecting && !failed.tlsError().isEmpty()) {
        m_tlsError = failed.tlsError();
        fail(Failure::Tls);
        return;
    }
    fail(m_link == Link::Connected ? Failure::NoResponse : Failure::Connect);
}

void UpstreamExchange::onReadable(net::Socket &)
{
    if (!m_socket) {
        return;
    }
    m_worker.readBuffers().lend(m_in);
    switch (m_socket->readInto(m_in)) {
    case net::Socket::ReadResult::Data:
        m_bytesSeen = true;
        m_exchange.noteActivity();
        processInput();
        return;
    case net::Socket::ReadResult::WouldBlock:
        return;
    case net::Socket::ReadResult::Eof:
    case net::Socket::ReadResult::Error:
        break;
    }
    // The upstream closed: a close-delimited body ends here; anything else is a failure.
    if (m_answered) {
        if (m_parser.finish() == http::HttpParser::Event::MessageEnd) {
            m_socket->close();
            m_attempt.finish(false);
            m_exchange.onUpstreamEnd(false);
            return;
        }
        m_exchange.onUpstreamBroken();
        return;
    }
    fail(m_bytesSeen ? Failure::BadResponse : Failure::NoResponse);
}

void UpstreamExchange::resumeResponse()
{
    if (m_socket && !m_socket->readEnabled()) {
        m_socket->setReadEnabled(true);
        processInput();
    }
}

void UpstreamExchange::processInput()
{
    while (m_socket) {
        if (m_exchange.clientBacklogged()) {
            m_socket->setReadEnabled(false); // resumeResponse goes on
            break;
        }
        qsizetype consumed = 0;
        const QByteArrayView input(m_in.constData() + m_inPos, m_in.size() - m_inPos);
        const http::HttpParser::Event event = m_parser.next(input, consumed);
        m_inPos += consumed;
        if (event == http::HttpParser::Event::NeedMore) {
            break;
        }
        if (event == http::HttpParser::Event::Error) {
            qCWarning(lcProxy) << "bad response from" << m_event->target << ':' << m_parser.errorText();
            fail(Failure::BadResponse);
            return;
        }
        if (event == http::HttpParser::Event::Head) {
            if (!onHead()) {
                return;
            }
        } else if (event == http::HttpParser::Event::Body) {
            m_exchange.onUpstreamBody(m_parser.body());
        } else if (event == http::HttpParser::Event::MessageEnd && m_parser.head().status >= 200) {
            m_attempt.finish(false);
            m_exchange.onUpstreamEnd(m_parser.head().keepAlive && m_inPos == m_in.size());
            return;
        }
    }
    if (m_inPos == m_in.size()) {
        m_in.resize(0);
        m_inPos = 0;
        m_worker.readBuffers().giveBack(m_in);
    } else if (m_inPos > 64 * 1024) {
        m_in.remove(0, m_inPos);
        m_inPos = 0;
    }
    m_exchange.flushToClient();
}

// False when the answer left this loop: a retry, a tunnel or a failure.
bool UpstreamExchange::onHead()
{
    const http::MessageHead &response = m_parser.head();
    if (response.status == 101) {
        if (!m_ctx->websocket || !http::acceptsWebSocket(*m_ctx->head, response)) {
            // Switching protocols nobody asked for, or not to the WebSocket handshake the
            // client started: a raw tunnel would carry requests past the gateway.
            qCWarning(lcProxy) << "upstream" << m_event->target << "answered 101 without accepting the WebSocket handshake";
            fail(Failure::BadResponse);
            return false;
        }
    } else if (response.status < 200) {
        return true; // interim (100 Continue was answered by the gateway already)
    }
    m_ctx->upstreamMs = msBetween(m_attemptStart, Clock::now());
    m_attempt.responded(response.status, m_ctx->upstreamMs);
    if (response.status != 101 && retryOnResponse()) {
        return false;
    }
    m_answered = true;
    m_answerDeadline = Clock::time_point::max();
    if (response.status == 101) {
        m_attempt.finish(false);
        m_exchange.onUpstreamUpgrade(response);
        return false;
    }
    m_exchange.onUpstreamHead(response);
    return m_socket != nullptr;
}

// A 502/503/504 from the upstream for an idempotent request with retries left goes to another
// target instead of the client, as nginx's proxy_next_upstream http_50x does. The answer is
// dropped with its connection.
bool UpstreamExchange::retryOnResponse()
{
    const int status = m_parser.head().status;
    if ((status != 502 && status != 503 && status != 504) || !retryAllowed(Failure::ErrorStatus)) {
        return false;
    }
    const int answered = m_ctx->targetIndex;
    if (!retry()) {
        m_ctx->targetIndex = answered;
        return false;
    }
    m_attempt.finish(true);
    release(false);
    startAttempt();
    return true;
}

bool UpstreamExchange::retry()
{
    const CompiledUpstream &upstream = *m_ctx->upstream;
    m_ctx->targetIndex = chooseTarget(*upstream.balancers.at(size_t(m_ctx->workerIndex)), upstream.targetStates,
                                      m_ctx->triedTargets, m_ctx->balanceKey, steadyNowMs());
    return m_ctx->targetIndex >= 0;
}

bool UpstreamExchange::retryAllowed(Failure failure) const
{
    if (m_attempts > m_ctx->route->retries || m_answered || m_bodyStarted || failure == Failure::BadResponse) {
        return false;
    }
    if (failure == Failure::Connect || failure == Failure::Tls) {
        // Nothing reached the upstream, so a retry adds no load there: no budget needed.
        return true;
    }
    return isIdempotent(m_ctx->head->method)
        && m_ctx->upstream->state->retryBudget.tryRetry(m_ctx->upstream->retryBudget, steadyNowMs(), m_ctx->workerIndex);
}

void UpstreamExchange::fail(Failure failure)
{
    const bool reusedStale = m_socket && m_reused && !m_bytesSeen && failure == Failure::NoResponse;
    release(false);
    if (reusedStale && !m_bodyStarted) {
        // A pooled connection the upstream closed while idle: not a failed attempt.
        m_attempt.abandon();
        --m_attempts;
        startAttempt();
        return;
    }
    m_attempt.finish(true);
    if (m_answered) {
        m_exchange.onUpstreamBroken(); // part of the answer is out: the connection must end
        return;
    }
    if (retryAllowed(failure) && retry()) {
        startAttempt();
        return;
    }
    m_ctx->upstreamMs = msBetween(m_attemptStart, Clock::now());
    if (failure == Failure::Tls) {
        qCWarning(lcProxy).noquote() << "TLS with" << m_event->target << "failed:" << m_tlsError;
    }
    m_exchange.onUpstreamFailed(failureAnswer(failure, m_ctx->upstream->name, m_event->target, m_tlsError));
}

void UpstreamExchange::release(bool reusable)
{
    if (!m_socket) {
        return;
    }
    std::unique_ptr<net::Socket> socket = std::move(m_socket);
    m_link = Link::None;
    m_in.resize(0);
    m_inPos = 0;
    m_worker.readBuffers().giveBack(m_in);
    m_connectDeadline = Clock::time_point::max();
    m_answerDeadline = Clock::time_point::max();
    if (reusable && socket->isOpen() && socket->pendingOutput() == 0) {
        m_worker.pool().put(m_ctx->upstream->targets.at(m_ctx->targetIndex).poolKey, std::move(socket),
                            m_ctx->upstream->keepalive);
    } else {
        socket->setHandler(nullptr);
        socket->close();
    }
}

void UpstreamExchange::abandon()
{
    release(false);
    m_attempt.abandon();
}

void UpstreamExchange::reset()
{
    abandon();
    m_attempts = 0;
    m_bodyStarted = false;
    m_answered = false;
}

bool UpstreamExchange::checkDeadlines(Clock::time_point now)
{
    if (!m_socket) {
        return false;
    }
    if (now >= m_connectDeadline) {
        fail(Failure::Connect);
        return true;
    }
    if (now >= m_answerDeadline) {
        fail(Failure::Timeout);
        return true;
    }
    return false;
}

std::unique_ptr<net::Socket> UpstreamExchange::takeForTunnel(QByteArray &unreadFromUpstream)
{
    unreadFromUpstream = m_in.mid(m_inPos);
    m_in.resize(0);
    m_inPos = 0;
    m_worker.readBuffers().giveBack(m_in);
    m_link = Link::None;
    m_connectDeadline = Clock::time_point::max();
    m_answerDeadline = Clock::time_point::max();
    return std::move(m_socket);
}

} // namespace gatehouse::engine
