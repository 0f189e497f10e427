#include "ClientConnection.h"

#include "engine/core/FlowControl.h"
#include "engine/core/Worker.h"

namespace gatehouse::engine {

namespace {

using Clock = ClientConnection::Clock;

// Pipelined requests waiting behind the current one are buffered up to this much.
constexpr qsizetype kMaxPipelined = 256 * 1024;
// One connection's pipelined requests served in one wake-up before other connections run.
constexpr int kMaxRequestsPerWakeUp = 16;
// How long a closing connection keeps reading and dropping a client's unwanted bytes.
constexpr std::chrono::seconds kLingerTime { 2 };

http::HttpParser::Limits requestLimits(const profile::Limits &limits)
{
    return { limits.maxHeaderBytes, limits.maxBodyBytes };
}

} // namespace

ClientConnection::ClientConnection(Worker &worker, std::unique_ptr<net::Socket> socket, const net::Socket::Peer &peer,
                                   std::shared_ptr<const ListenerOptions> listener, Clock::time_point now)
    : m_worker(worker)
    , m_client(std::move(socket))
    , m_listener(std::move(listener))
    , m_parser(http::HttpParser::Mode::Request, requestLimits(worker.config()->limits))
    , m_exchange(worker, *this, m_listener.get(), peer)
{
    m_client->setHandler(this);
    m_headDeadline = now + worker.config()->limits.headerTimeout;
    m_lastActivity = now;
}

ClientConnection::~ClientConnection()
{
    m_tunnel.reset();
    m_exchange.close();
    m_client.reset();
}

// ---- reading requests --------------------------------------------------------------------

void ClientConnection::onReadable(net::Socket &)
{
    if (m_life == Life::Closed) {
        return;
    }
    if (m_life == Life::Lingering) {
        m_worker.readBuffers().lend(m_in);
        const net::Socket::ReadResult dropped = m_client->readInto(m_in);
        m_in.resize(0);
        m_worker.readBuffers().giveBack(m_in);
        if (dropped == net::Socket::ReadResult::Eof || dropped == net::Socket::ReadResult::Error) {
            close();
        }
        return;
    }
    m_worker.readBuffers().lend(m_in);
    switch (m_client->readInto(m_in)) {
    case net::Socket::ReadResult::Data:
        m_lastActivity = Clock::now();
        break;
    case net::Socket::ReadResult::WouldBlock:
        return;
    case net::Socket::ReadResult::Eof:
        m_clientEof = true;
        m_client->setReadEnabled(false);
        if (m_reading != Reading::Done && m_inPos == m_in.size()) {
            close(); // a clean close between requests, or the client gave up mid-request
            return;
        }
        break;
    case net::Socket::ReadResult::Error:
        close();
        return;
    }
    processInput();
}

void ClientConnection::processInput()
{
    // Re-entered from a callback (a pooled upstream is ready at once): the outer loop goes on.
    if (m_inProcessInput) {
        return;
    }
    m_inProcessInput = true;
    m_requestsThisWakeUp = 0;
    processInputLoop();
    m_inProcessInput = false;
    if (m_inPos == m_in.size()) {
        m_in.resize(0);
        m_inPos = 0;
        m_worker.readBuffers().giveBack(m_in); // nothing left to parse: hold no buffer while idle
    }
}

void ClientConnection::resume()
{
    m_yielded = false;
    processInput();
}

// SPEC §7.1, one client cannot hurt the others: a connection whose answers pile up unread is not
// read from (its requests would only grow the pile), and one that pipelines many requests
// takes turns with the others instead of holding the worker.
bool ClientConnection::mustPauseInput()
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

void ClientConnection::processInputLoop()
{
    while (m_life == Life::Open) {
        if (m_reading == Reading::Done) {
            // The answer is still on its way; later pipelined requests wait in m_in.
            if (m_in.size() - m_inPos > kMaxPipelined) {
                m_client->setReadEnabled(false);
            }
            return;
        }
        if (m_exchange.paused() || (m_reading == Reading::Body && !m_exchange.takesBody())) {
            // A stage waits, or the upstream is not ready for more body: read on when it is.
            m_client->setReadEnabled(false);
            return;
        }
        if (m_reading == Reading::Head && mustPauseInput()) {
            return;
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
            if (m_clientEof) {
                if (m_reading != Reading::Done) {
                    close();
                }
            } else if (!m_client->readEnabled()) {
                m_client->setReadEnabled(true);
            }
            return;
        case http::HttpParser::Event::Head:
            ++m_requestsThisWakeUp;
            // Body until the parser reports the message end, even for a bodyless request: that
            // event is still to come and belongs to this request, not the next one.
            m_reading = Reading::Body;
            m_exchange.begin(m_parser.head(), !m_draining, Clock::now());
            break;
        case http::HttpParser::Event::Body:
            m_exchange.requestBody(m_parser.body());
            break;
        case http::HttpParser::Event::MessageEnd:
            m_exchange.requestEnd();
            m_reading = Reading::Done;
            m_headDeadline = Clock::time_point::max();
            maybeFinish();
            break;
        case http::HttpParser::Event::Error:
            onParseError();
            return;
        }
    }
}

void ClientConnection::onParseError()
{
    switch (m_parser.error()) {
    case http::ParseStatus::HeadersTooLarge:
        m_exchange.fail(431, "headers_too_large", QStringLiteral("request head exceeds max_header_bytes"));
        return;
    case http::ParseStatus::BodyTooLarge:
        m_exchange.fail(413, "body_too_large", QStringLiteral("request body exceeds max_body_bytes"));
        return;
    case http::ParseStatus::BadMethod:
        m_exchange.fail(501, "not_implemented", QStringLiteral("method not supported"));
        return;
    default:
        m_exchange.fail(400, "bad_request",
                        QStringLiteral("malformed request: %1").arg(QString::fromLatin1(m_parser.errorText())));
        return;
    }
}

// ---- between requests --------------------------------------------------------------------

void ClientConnection::maybeFinish()
{
    if (m_reading != Reading::Done || !m_exchange.answeredInFull() || m_life == Life::Closed) {
        return;
    }
    const Clock::time_point now = Clock::now();
    const bool keepAlive = m_exchange.keepAlive() && !m_clientEof;
    m_lingerOnClose = m_exchange.lingerOnClose();
    m_exchange.finish(now);
    if (!keepAlive) {
        closeAfterFlush();
        return;
    }
    m_reading = Reading::Head;
    m_headDeadline = now + m_worker.config()->limits.headerTimeout;
    processInput();
}

void ClientConnection::flush()
{
    if (!m_out.isEmpty()) {
        if (m_life != Life::Closed) {
            m_client->write(m_out);
        }
        m_out.resize(0);
    }
}

void ClientConnection::onDrained(net::Socket &)
{
    if (m_life == Life::Closing) {
        finishClose();
        return;
    }
    if (m_life != Life::Open) {
        return;
    }
    if (m_waitingForClientDrain) {
        m_waitingForClientDrain = false;
        processInput();
        if (m_life == Life::Closed) {
            return;
        }
    }
    m_exchange.clientDrained();
}

void ClientConnection::onFailed(net::Socket &, int)
{
    close();
}

void ClientConnection::upgrade(std::unique_ptr<net::Socket> upstream, const QByteArray &unreadFromUpstream)
{
    m_life = Life::Tunnel;
    const QByteArrayView toUpstream(m_in.constData() + m_inPos, m_in.size() - m_inPos);
    m_tunnel = std::make_unique<Tunnel>(*m_client, std::move(upstream), toUpstream, unreadFromUpstream,
                                        [this] { onTunnelEnded(); });
    m_in.resize(0);
    m_inPos = 0;
}

void ClientConnection::onTunnelEnded()
{
    m_client->setHandler(this);
    m_exchange.tunnelEnded(m_tunnel->bytesFromClient(), m_tunnel->bytesFromUpstream(), Clock::now());
    close();
}

// ---- closing -----------------------------------------------------------------------------

void ClientConnection::closeAfterFlush()
{
    m_life = Life::Closing;
    m_client->setReadEnabled(false);
    if (m_client->pendingOutput() == 0) {
        finishClose();
    }
}

// Closing a socket with unread input makes the kernel send a RST, and a client still sending
// its request then loses the answer we just wrote (curl reports a send failure instead of our
// 413). So when the client may still be sending, do what nginx's lingering close does:
// half-close, then read and drop its bytes until it closes or kLingerTime passes.
void ClientConnection::finishClose()
{
    if (!m_lingerOnClose || m_clientEof) {
        close();
        return;
    }
    m_life = Life::Lingering;
    m_lingerDeadline = Clock::now() + kLingerTime;
    m_in.resize(0);
    m_inPos = 0;
    m_client->shutdownWriteWhenDrained();
    m_client->setReadEnabled(true);
}

void ClientConnection::close()
{
    if (m_life == Life::Closed) {
        return;
    }
    m_life = Life::Closed;
    m_exchange.close();
    m_client->setHandler(nullptr);
    m_client->close();
    m_worker.sessionClosed(this);
}

void ClientConnection::checkDeadlines(Clock::time_point now)
{
    switch (m_life) {
    case Life::Closed:
        return;
    case Life::Lingering:
        if (now >= m_lingerDeadline) {
            close();
        }
        return;
    case Life::Tunnel:
        if (now - m_tunnel->lastActivity() >= m_worker.config()->limits.idleTimeout) {
            m_tunnel->end();
        }
        return;
    case Life::Open:
    case Life::Closing:
        break;
    }
    if (m_reading == Reading::Head) {
        if (now < m_headDeadline) {
            return;
        }
        if (m_in.size() == m_inPos && !m_parser.inMessage()) {
            close(); // an idle keep-alive connection: close quietly, as nginx does
        } else {
            m_exchange.fail(408, "request_timeout", QStringLiteral("request head not complete within header_timeout"));
        }
        return;
    }
    if (m_exchange.checkDeadlines(now) || now - m_lastActivity < m_worker.config()->limits.idleTimeout) {
        return;
    }
    if (m_reading == Reading::Body) {
        // Aborts instead when part of an answer is out already.
        m_exchange.fail(408, "request_timeout", QStringLiteral("request body stalled beyond idle_timeout"));
    } else {
        close();
    }
}

void ClientConnection::drain()
{
    m_draining = true;
    if (m_tunnel) {
        m_tunnel->end(); // long-lived by nature: a drain would wait for it until the timeout
        return;
    }
    m_exchange.endConnectionAfter();
    if (m_reading == Reading::Head && !m_parser.inMessage() && m_in.size() == m_inPos) {
        closeAfterFlush();
    }
}

} // namespace gatehouse::engine
