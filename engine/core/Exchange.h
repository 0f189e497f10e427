#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <QByteArray>

#include "engine/config/ListenerOptions.h"
#include "engine/core/BodyCapture.h"
#include "engine/core/ResponseFraming.h"
#include "engine/core/UpstreamExchange.h"
#include "engine/http/HttpMessage.h"
#include "engine/http/ResponseHead.h"
#include "engine/net/Socket.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::engine {

class Worker;

// What an exchange needs of the client connection it runs on.
class ExchangeOwner
{
public:
    virtual ~ExchangeOwner() = default;
    // Bytes for the client are appended here, gathered so a head and a small body go out in
    // one write; flush() writes them.
    virtual QByteArray &output() = 0;
    virtual void flush() = 0;
    virtual qsizetype pendingOutput() const = 0;
    // The rest of the request will not be read: the connection ends after this answer.
    virtual void stopReadingRequest() = 0;
    // The answer is complete (the request may still be arriving, to be read and dropped).
    virtual void answered() = 0;
    // The upstream takes more of the request body now.
    virtual void bodyWanted() = 0;
    // After a 101: both sockets become a tunnel; `unreadFromUpstream` goes to the client first.
    virtual void upgrade(std::unique_ptr<net::Socket> upstream, const QByteArray &unreadFromUpstream) = 0;
    virtual void noteActivity() = 0;
    // Ends the connection now: nothing sane can follow what was sent.
    virtual void abort() = 0;
};

// One request and its answer: the pipeline's two phases, the local answer or the upstream's
// relayed (framed for the client, filtered by the response phase's body filter), the traffic
// event and the bodies kept for the app. A connection runs one exchange at a time; each request
// starts from a fresh Request, so nothing of the last one is left by hand.
class Exchange final
{
public:
    using Clock = std::chrono::steady_clock;

    Exchange(Worker &worker, ExchangeOwner &owner, const ListenerOptions *listener, const net::Socket::Peer &client);
    ~Exchange();
    Exchange(const Exchange &) = delete;
    Exchange &operator=(const Exchange &) = delete;

    // The request's head arrived: the request phase runs. `keepAlive`: the connection may serve
    // another request after this one.
    void begin(const http::MessageHead &head, bool keepAlive, Clock::time_point now);
    void requestBody(QByteArrayView chunk);
    void requestEnd();
    // The request cannot be read on (malformed, too large, too slow): an error answers it and
    // the connection ends.
    void fail(int status, const QByteArray &code, const QString &message);
    // The traffic event goes to the worker and the next request starts from nothing.
    void finish(Clock::time_point now);
    // The connection closes: whatever is in flight is abandoned.
    void close();

    bool paused() const { return m_r.state == State::Paused; }
    // Whether the connection should read more request body now (the upstream keeps up).
    bool takesBody() const;
    bool answeredInFull() const { return m_r.state == State::Answered; }
    bool inFlight() const { return m_r.state != State::Idle; }
    bool keepAlive() const { return m_r.keepAlive; }
    bool lingerOnClose() const { return m_r.lingerOnClose; }
    void endConnectionAfter() { m_r.keepAlive = false; }
    // The client read what was pending: the upstream's answer may flow again.
    void clientDrained() { m_upstream.resumeResponse(); }
    bool checkDeadlines(Clock::time_point now) { return m_upstream.checkDeadlines(now); }
    // A tunnel ended with these byte counts: its event is recorded.
    void tunnelEnded(qint64 fromClient, qint64 fromUpstream, Clock::time_point now);

    // From the upstream exchange.
    void onUpstreamReady();
    void onUpstreamHead(const http::MessageHead &response);
    void onUpstreamBody(QByteArrayView chunk);
    void onUpstreamEnd(bool reusable);
    void onUpstreamUpgrade(const http::MessageHead &response);
    // No attempt is left: `answer` goes to the client and the connection ends.
    void onUpstreamFailed(const LocalResponse &answer) { fail(answer.status, answer.error, answer.message); }
    void onUpstreamBroken() { m_owner.abort(); }
    bool clientBacklogged() const;
    void flushToClient() { m_owner.flush(); }
    void noteActivity() { m_owner.noteActivity(); }

private:
    // Idle: no request. Pipeline: the request phase runs; Paused: one of its stages waits.
    // Upstream: attempts, no byte of the answer sent; Streaming: the answer is on its way.
    // Answered: all of it was sent. Tunnel: after a 101, until the tunnel ends.
    enum class State { Idle, Pipeline, Paused, Upstream, Streaming, Answered, Tunnel };

    struct Request
    {
        RequestContext ctx;
        TrafficEvent event;
        State state = State::Idle;
        bool keepAlive = true;
        bool lingerOnClose = false; // the client may still be sending when the connection closes
        bool hasBody = false;
        bool requestEnded = false;
        bool dropBody = false; // the answer did not need the body: it is read and dropped
        bool recording = false; // somebody wants this request's event (Worker::recording)
        qint64 bytesIn = 0;
    };

    void keepRequest(const http::MessageHead &head);
    void runPipeline();
    void resumePipeline();
    void answerLocally();
    void startUpstream();
    void writeHead(http::ResponseHead &head);
    void keepResponseHeaders(const http::ResponseHead &head);
    void record(Clock::time_point now);

    Worker &m_worker;
    ExchangeOwner &m_owner;
    const ListenerOptions *m_listener;
    QByteArray m_clientIp;
    QByteArray m_clientAddress; // "ip:port", for every request's event
    Request m_r;
    UpstreamExchange m_upstream;
    // What the ResumeHandle of each request points to; gone with the connection, so a late
    // resume is a no-op.
    std::shared_ptr<const std::function<void()>> m_resume;
    // Kept across requests so a keep-alive connection reuses their allocations.
    BodyCapture m_requestBody;
    BodyCapture m_responseBody;
    ResponseFraming m_framing;
};

} // namespace gatehouse::engine
