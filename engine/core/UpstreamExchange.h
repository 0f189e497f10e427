#pragma once

#include <chrono>
#include <memory>

#include <QByteArray>
#include <QString>

#include "engine/core/UpstreamAttempt.h"
#include "engine/core/UpstreamFailure.h"
#include "engine/http/HttpParser.h"
#include "engine/net/Socket.h"

namespace gatehouse::engine {

class Exchange;
class Worker;
struct RequestContext;
struct TrafficEvent;

// One request's way to its upstream: attempts against targets (the first chosen by the balance
// stage, retries by chooseTarget), the connection (pooled or new), its deadlines, the answer
// parsed and handed to the exchange, and the status a failure answers with. Lives as long as
// its exchange; start() begins each request's attempts.
class UpstreamExchange final : public net::SocketHandler
{
public:
    using Clock = std::chrono::steady_clock;

    UpstreamExchange(Worker &worker, Exchange &exchange);
    ~UpstreamExchange() override;
    UpstreamExchange(const UpstreamExchange &) = delete;
    UpstreamExchange &operator=(const UpstreamExchange &) = delete;

    // ctx.upstream and ctx.targetIndex are chosen; both outlive the attempts.
    void start(RequestContext &ctx, TrafficEvent &event, bool chunkedBody);
    bool active() const { return m_socket != nullptr; }
    // The request body may go on now: connected, and the upstream keeps up.
    bool takesBody() const;
    void writeBody(QByteArrayView chunk);
    void endBody();
    bool bodyStarted() const { return m_bodyStarted; }
    int attempts() const { return m_attempts; }
    // The client's output is backed up: stop reading the answer, until resumeResponse().
    void resumeResponse();
    // The answer ended (or was cut): the connection goes back to the pool when `reusable` and
    // nothing of the upstream's is left unread, else it closes.
    void release(bool reusable);
    // The request ended without a clean answer (the client left, the connection closed).
    void abandon();
    // Between requests: nothing of the last one's attempts is left.
    void reset();
    // Connect and answer deadlines; true when one passed and was dealt with.
    bool checkDeadlines(Clock::time_point now);
    // After a 101: the connection and whatever the upstream sent after its head.
    std::unique_ptr<net::Socket> takeForTunnel(QByteArray &unreadFromUpstream);

    void onReadable(net::Socket &socket) override;
    void onDrained(net::Socket &socket) override;
    void onFailed(net::Socket &socket, int error) override;

private:
    using Failure = UpstreamFailure;
    enum class Link { None, Connecting, Connected };

    void startAttempt();
    void onConnected();
    void processInput();
    bool onHead();
    bool retryOnResponse();
    void fail(Failure failure);
    bool retryAllowed(Failure failure) const;
    bool retry();

    Worker &m_worker;
    Exchange &m_exchange;
    RequestContext *m_ctx = nullptr;
    TrafficEvent *m_event = nullptr;
    std::unique_ptr<net::Socket> m_socket;
    http::HttpParser m_parser;
    QByteArray m_in;
    qsizetype m_inPos = 0;
    UpstreamAttempt m_attempt; // after nothing it points into: the snapshot outlives the session
    Link m_link = Link::None;
    bool m_chunkedBody = false;
    bool m_reused = false; // the connection came from the pool
    bool m_bytesSeen = false; // the upstream sent something on this connection
    bool m_bodyStarted = false; // request body bytes went out: no retry can replay them
    bool m_answered = false; // the final head went to the exchange: no retry either
    int m_attempts = 0;
    Clock::time_point m_attemptStart;
    Clock::time_point m_connectDeadline = Clock::time_point::max();
    Clock::time_point m_answerDeadline = Clock::time_point::max();
    QString m_tlsError; // why the last TLS handshake with an upstream failed
};

} // namespace gatehouse::engine
