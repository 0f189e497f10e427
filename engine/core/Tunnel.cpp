#include "Tunnel.h"

#include "engine/core/FlowControl.h"

namespace gatehouse::engine {

Tunnel::Tunnel(net::Socket &client, std::unique_ptr<net::Socket> upstream, QByteArrayView toUpstream,
               QByteArrayView toClient, std::function<void()> ended)
    : m_upstreamSocket(std::move(upstream))
    , m_lastActivity(Clock::now())
    , m_ended(std::move(ended))
{
    m_client.tunnel = this;
    m_client.socket = &client;
    m_client.peer = &m_upstream;
    m_upstream.tunnel = this;
    m_upstream.socket = m_upstreamSocket.get();
    m_upstream.peer = &m_client;
    client.setHandler(&m_client);
    m_upstreamSocket->setHandler(&m_upstream);
    m_client.bytes = toUpstream.size();
    m_upstream.bytes = toClient.size();
    m_upstreamSocket->write(toUpstream);
    client.write(toClient);
    client.setReadEnabled(m_upstreamSocket->pendingOutput() <= kHighWater);
    m_upstreamSocket->setReadEnabled(client.pendingOutput() <= kHighWater);
}

Tunnel::~Tunnel()
{
    if (m_upstreamSocket) {
        m_upstreamSocket->setHandler(nullptr);
    }
}

void Tunnel::pump(Side &from)
{
    if (m_done) {
        return;
    }
    m_buffer.resize(0);
    switch (from.socket->readInto(m_buffer)) {
    case net::Socket::ReadResult::Data:
        break;
    case net::Socket::ReadResult::WouldBlock:
        return;
    case net::Socket::ReadResult::Eof:
        from.eof = true;
        from.socket->setReadEnabled(false);
        from.peer->socket->shutdownWriteWhenDrained();
        maybeFinish();
        return;
    case net::Socket::ReadResult::Error:
        end();
        return;
    }
    m_lastActivity = Clock::now();
    from.bytes += m_buffer.size();
    if (!from.peer->socket->write(m_buffer)) {
        return; // the peer's failure arrives through onFailed
    }
    if (from.peer->socket->pendingOutput() > kHighWater) {
        from.socket->setReadEnabled(false); // resumes in drained()
    }
}

void Tunnel::drained(Side &side)
{
    if (m_done) {
        return;
    }
    // `side` caught up: its peer may read again.
    if (!side.peer->eof && !side.peer->socket->readEnabled()) {
        side.peer->socket->setReadEnabled(true);
    }
    maybeFinish();
}

void Tunnel::maybeFinish()
{
    if (m_client.eof && m_upstream.eof && m_client.socket->pendingOutput() == 0
        && m_upstreamSocket->pendingOutput() == 0) {
        end();
    }
}

void Tunnel::end()
{
    if (m_done) {
        return;
    }
    m_done = true;
    m_upstreamSocket->setHandler(nullptr);
    m_upstreamSocket->close();
    m_client.socket->setHandler(nullptr);
    m_ended();
}

} // namespace gatehouse::engine
