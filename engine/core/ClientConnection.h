#pragma once

#include <chrono>
#include <memory>

#include <QByteArray>

#include "engine/config/ListenerOptions.h"
#include "engine/core/Exchange.h"
#include "engine/core/Tunnel.h"
#include "engine/http/HttpParser.h"
#include "engine/net/Socket.h"

namespace gatehouse::engine {

class Worker;

// One client connection: reads its requests (pipelined ones in order) and hands each to the
// exchange, one at a time; keeps it alive between them, closes it (lingering when the client
// may still be sending), and becomes a tunnel after a WebSocket's 101. Back-pressure both ways:
// a client whose answers pile up unread is not read from.
class ClientConnection final : public net::SocketHandler, private ExchangeOwner
{
public:
    using Clock = std::chrono::steady_clock;

    ClientConnection(Worker &worker, std::unique_ptr<net::Socket> socket, const net::Socket::Peer &peer,
                     std::shared_ptr<const ListenerOptions> listener, Clock::time_point now);
    ~ClientConnection() override;
    ClientConnection(const ClientConnection &) = delete;
    ClientConnection &operator=(const ClientConnection &) = delete;

    void onReadable(net::Socket &socket) override;
    void onDrained(net::Socket &socket) override;
    void onFailed(net::Socket &socket, int error) override;

    // Called by the worker's timer: head timeout, idle timeout, upstream timeouts.
    void checkDeadlines(Clock::time_point now);
    // Shutting down: idle connections close now, busy ones after their answer.
    void drain();
    bool isClosed() const { return m_life == Life::Closed; }
    // After yielding to other connections: serves this one's next pipelined requests.
    void resume();

private:
    // Head: between requests or inside a head. Body: the exchange takes the body. Done: the
    // request is read (or will not be), its answer may still be on its way.
    enum class Reading { Head, Body, Done };
    // Closing: the last bytes go out, then the close. Lingering: half-closed, dropping the
    // client's last bytes. Tunnel: a Tunnel moves the bytes until it ends.
    enum class Life { Open, Closing, Lingering, Tunnel, Closed };

    void processInput();
    void processInputLoop();
    bool mustPauseInput();
    void onParseError();
    void maybeFinish();
    void onTunnelEnded();
    void closeAfterFlush();
    void finishClose();
    void close();

    QByteArray &output() override { return m_out; }
    void flush() override;
    qsizetype pendingOutput() const override { return m_client->pendingOutput(); }
    void stopReadingRequest() override { m_reading = Reading::Done; }
    void answered() override { maybeFinish(); }
    void bodyWanted() override { processInput(); }
    void upgrade(std::unique_ptr<net::Socket> upstream, const QByteArray &unreadFromUpstream) override;
    void noteActivity() override { m_lastActivity = Clock::now(); }
    void abort() override { close(); }

    Worker &m_worker;
    std::unique_ptr<net::Socket> m_client;
    std::shared_ptr<const ListenerOptions> m_listener;
    http::HttpParser m_parser;
    QByteArray m_in;
    qsizetype m_inPos = 0;
    QByteArray m_out; // the answer's bytes gathered for one write
    Exchange m_exchange;
    std::unique_ptr<Tunnel> m_tunnel;
    Reading m_reading = Reading::Head;
    Life m_life = Life::Open;
    bool m_lingerOnClose = false;
    bool m_clientEof = false;
    bool m_draining = false;
    bool m_inProcessInput = false;
    bool m_yielded = false; // waiting in the worker's resume list; reading is off meanwhile
    bool m_waitingForClientDrain = false; // the client's unsent answers are over kHighWater
    int m_requestsThisWakeUp = 0;
    Clock::time_point m_headDeadline;
    Clock::time_point m_lastActivity;
    Clock::time_point m_lingerDeadline;
};

} // namespace gatehouse::engine
