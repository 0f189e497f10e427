#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <QByteArray>

#include "engine/config/ListenerOptions.h"
#include "engine/core/BodyCapture.h"
#include "engine/core/Tunnel.h"
#include "engine/core/UpstreamAttempt.h"
#include "engine/http/GzipStream.h"
#include "engine/http/HttpParser.h"
#include "engine/http/LocalResponse.h"
#include "engine/net/Socket.h"
#include "engine/pipeline/RequestContext.h"
#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::engine {

class Worker;

// One client connection: reads requests (pipelined ones in order), runs the pipeline, relays
// each request to an upstream and its response back, with back-pressure both ways.
class ClientSession final : public net::SocketHandler
{
public:
    using Clock = std::chrono::steady_clock;

    ClientSession(Worker &worker, std::unique_ptr<net::Socket> socket, std::shared_ptr<const ListenerOptions> listener,
                  Clock::time_point now);
    ~ClientSession() override;
    ClientSession(const ClientSession &) = delete;
    ClientSession &operator=(const ClientSession &) = delete;

    void onReadable(net::Socket &socket) override;
    void onDrained(net::Socket &socket) override;
    void onFailed(net::Socket &socket, int error) override;

    // Called by the worker's timer: head timeout, idle timeout, upstream timeouts.
    void checkDeadlines(Clock::time_point now);
    // Shutting down: idle connections close now, busy ones after their response.
    void drain();
    bool isClosed() const { return m_closed; }
    // After yielding to other connections: serves this one's next pipelined requests.
    void resume();

private:
    class UpstreamLeg;
    enum class RequestPhase { Head, Body, Done };
    // ErrorStatus: a 502/503/504 answer; Tls: the handshake with the upstream failed (its certificate)
    enum class Failure { Connect, Tls, NoResponse, Timeout, BadResponse, ErrorStatus };

    void processInput();
    void processInputLoop();
    bool mustPauseInput();
    void onRequestHead();
    void runPipeline();
    void resumePipeline();
    void forwardBody(QByteArrayView chunk);
    void onRequestBodyEnd();
    void continueAfterPipeline(bool respond);
    void respondLocally();
    void startProxying();
    void startAttempt();
    bool retryOnResponse();
    void onUpstreamConnected();
    void onUpstreamReadable();
    void onUpstreamDrained();
    void onUpstreamFailed(Failure failure);
    void processUpstreamInput();
    void onResponseHead();
    void startTunnel();
    void onTunnelEnded();
    void recordEvent(Clock::time_point now);
    void keepLocalResponse(const QByteArray &rendered, const LocalResponseLayout &layout);
    void writeResponseBody(QByteArrayView chunk);
    void writeResponseBodyBytes(QByteArrayView chunk); // as it goes on the wire (after gzip)
    void onResponseEnd();
    void releaseUpstream(bool reusable);
    void maybeFinishCycle();
    void sendErrorAndClose(int status, const char *code, const QString &message);
    void writeToClient(QByteArrayView bytes);
    void flushClientBatch();
    void closeAfterFlush();
    void finishClose();
    void close();
    void resetForNextRequest();
    bool retryAllowed(Failure failure) const;

    Worker &m_worker;
    std::unique_ptr<net::Socket> m_client;
    std::shared_ptr<const ListenerOptions> m_listener;
    std::unique_ptr<UpstreamLeg> m_leg;
    std::unique_ptr<Tunnel> m_tunnel; // after a WebSocket's 101: the session only waits for its end
    http::HttpParser m_parser;
    http::HttpParser m_upstreamParser;
    QByteArray m_in;
    qsizetype m_inPos = 0;
    QByteArray m_upIn;
    qsizetype m_upInPos = 0;
    QByteArray m_clientBatch; // response bytes gathered so a head and a small body go in one write

    std::shared_ptr<const GatewayConfig> m_config;
    RequestContext m_ctx;
    UpstreamAttempt m_attempt; // after m_config: it points into the snapshot
    // What the ResumeHandle of each request points to; gone with the session, so a late resume is a no-op.
    std::shared_ptr<const std::function<void()>> m_resume;
    TrafficEvent m_event;
    BodyCapture m_requestBody; // for the app's body preview, when it asked for bodies
    BodyCapture m_responseBody;
    RequestPhase m_phase = RequestPhase::Head;
    bool m_proxying = false; // the current request goes upstream
    bool m_paused = false; // a stage waits (Pipeline::Outcome::Paused)
    bool m_discardBody = false; // a local response was sent; the body is read and dropped
    bool m_responseStarted = false; // bytes of the response reached the client
    bool m_responseDone = false;
    QByteArray m_clientAddress; // "ip:port", for every request's event
    bool m_responseChunked = false; // we re-chunk the response body for the client
    std::unique_ptr<http::GzipStream> m_gzip; // set while this response is gzipped on the way
    QByteArray m_gzipOut;
    bool m_responseCloseDelimited = false; // HTTP/1.0 client without length: close ends the body
    bool m_keepAlive = true;
    bool m_bodyForwardStarted = false;
    bool m_hasBody = false;
    bool m_inProcessInput = false;
    int m_requestsThisWakeUp = 0;
    bool m_yielded = false; // waiting in the worker's resume list; reading is off meanwhile
    bool m_waitingForClientDrain = false; // the client's unsent answers are over kHighWater
    bool m_clientEof = false;
    bool m_closing = false;
    bool m_lingerOnClose = false; // the client may still be sending this request when we close
    bool m_lingering = false; // half-closed, dropping the client's last bytes before the close
    bool m_closed = false;
    bool m_draining = false;
    int m_attempts = 0;
    qint64 m_clientBytesIn = 0;

    Clock::time_point m_headDeadline;
    Clock::time_point m_lastActivity;
    Clock::time_point m_requestStart;
    Clock::time_point m_attemptStart;
    Clock::time_point m_connectDeadline;
    Clock::time_point m_upstreamDeadline;
    Clock::time_point m_lingerDeadline;
    double m_upstreamMs = -1;
    QString m_upstreamTlsError; // why the last TLS handshake with an upstream failed
};

} // namespace gatehouse::engine
