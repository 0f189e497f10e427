#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <QByteArray>

#include "engine/net/Socket.h"

namespace gatehouse::engine {

// An upgraded connection (WebSocket) after the upstream's 101: bytes go both ways unchanged, each
// direction stopping its reader while the other socket's output is backed up. Each side's EOF is
// passed on as a half-close; the tunnel ends when both directions are done or either fails.
class Tunnel final
{
public:
    using Clock = std::chrono::steady_clock;

    // `client` stays owned by the caller and must outlive the tunnel. `toUpstream` and `toClient`
    // are bytes that arrived with the heads and belong to the other side. `ended` is called once,
    // from inside a socket callback: it must not destroy the tunnel there.
    Tunnel(net::Socket &client, std::unique_ptr<net::Socket> upstream, QByteArrayView toUpstream,
           QByteArrayView toClient, std::function<void()> ended);
    ~Tunnel();
    Tunnel(const Tunnel &) = delete;
    Tunnel &operator=(const Tunnel &) = delete;

    qint64 bytesFromClient() const { return m_client.bytes; }
    qint64 bytesFromUpstream() const { return m_upstream.bytes; }
    Clock::time_point lastActivity() const { return m_lastActivity; }
    // Closes both sockets now (idle timeout, shutdown).
    void end();

private:
    struct Side final : net::SocketHandler
    {
        Tunnel *tunnel = nullptr;
        net::Socket *socket = nullptr;
        Side *peer = nullptr;
        bool eof = false; // this side sent its last byte
        qint64 bytes = 0; // read from this side
        void onReadable(net::Socket &) override { tunnel->pump(*this); }
        void onDrained(net::Socket &) override { tunnel->drained(*this); }
        void onFailed(net::Socket &, int) override { tunnel->end(); }
    };
    void pump(Side &from);
    void drained(Side &side);
    void maybeFinish();

    std::unique_ptr<net::Socket> m_upstreamSocket;
    Side m_client;
    Side m_upstream;
    QByteArray m_buffer;
    Clock::time_point m_lastActivity;
    std::function<void()> m_ended;
    bool m_done = false;
};

} // namespace gatehouse::engine
