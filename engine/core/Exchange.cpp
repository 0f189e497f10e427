#include "Exchange.h"

#include <QDateTime>

#include "engine/base/SteadyClock.h"
#include "engine/core/FlowControl.h"
#include "engine/core/Worker.h"
#include "engine/http/HeadWriter.h"
#include "engine/http/LocalResponse.h"
#include "engine/pipeline/RequestIds.h"
#include "engine/pipeline/RequestIntake.h"
#include "engine/pipeline/ResponseIntake.h"

namespace gatehouse::engine {

namespace {

using Clock = Exchange::Clock;

// A refused target goes into the log only up to this long.
constexpr qsizetype kLoggedTargetBytes = 1024;

bool expectsContinue(const http::MessageHead &head)
{
    return head.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
}

} // namespace

Exchange::Exchange(Worker &worker, ExchangeOwner &owner, const ListenerOptions *listener, const net::Socket::Peer &client)
    : m_worker(worker)
    , m_owner(owner)
    , m_listener(listener)
    , m_clientIp(client.address.toString().toLatin1())
    , m_clientAddress(m_clientIp + ':' + QByteArray::number(client.port))
    , m_upstream(worker, *this)
    , m_resume(std::make_shared<const std::function<void()>>([this] { resumePipeline(); }))
{
    m_r.event.client = m_clientAddress;
}

Exchange::~Exchange() = default;

// ---- request phase -----------------------------------------------------------------------

void Exchange::begin(const http::MessageHead &head, bool keepAlive, Clock::time_point now)
{
    RequestContext &ctx = m_r.ctx;
    m_r.state = State::Pipeline;
    ctx.config = m_worker.config();
    ctx.workerIndex = m_worker.index();
    ctx.resume = ResumeHandle(m_resume);
    ctx.clientIp = m_clientIp;
    ctx.listener = m_listener;
    ctx.start = now;
    takeInRequest(ctx, head);
    m_r.hasBody = head.chunked || head.contentLength > 0;
    // After an upgrade request frames may follow the head, whatever the answer: the connection
    // ends after it unless the upstream switches protocols.
    m_r.keepAlive = keepAlive && head.keepAlive && !head.upgrade;

    m_r.recording = m_worker.recording();
    if (m_r.recording) {
        keepRequest(head);
    }
    runPipeline();
}

// What the event says of the request, and the bodies to keep (the app's Bodies menu).
void Exchange::keepRequest(const http::MessageHead &head)
{
    const RequestContext &ctx = m_r.ctx;
    TrafficEvent &event = m_r.event;
    event.timeMs = QDateTime::currentMSecsSinceEpoch();
    event.requestId = ctx.requestId;
    event.method = head.method;
    if (m_worker.observed()) {
        event.capture = m_worker.captureArchive();
        event.requestHeaders = m_worker.captureArchive()->storeHeaders(head.headers);
    }
    const BodyCapturePolicy bodies = m_worker.bodyCapture();
    m_requestBody.begin(bodies);
    m_responseBody.begin(bodies);
    event.host = ctx.hostHeader;
    if (ctx.target.valid) {
        event.path = ctx.target.path;
        if (!ctx.target.query.isEmpty()) {
            event.path += '?' + ctx.target.query;
        }
    } else {
        event.path = head.target.left(kLoggedTargetBytes); // what was refused, for the log
    }
}

void Exchange::runPipeline()
{
    const Pipeline::Outcome outcome = m_worker.pipeline().run(m_r.ctx);
    if (outcome == Pipeline::Outcome::Paused) {
        m_r.state = State::Paused; // the body and later requests wait unread until resumePipeline
        return;
    }
    if (m_r.ctx.canary) {
        m_r.event.canary = *m_r.ctx.canary;
    }
    if (outcome == Pipeline::Outcome::Respond) {
        answerLocally();
    } else {
        startUpstream();
    }
}

void Exchange::resumePipeline()
{
    if (m_r.state != State::Paused) {
        return;
    }
    m_r.state = State::Pipeline;
    runPipeline();
    if (m_r.state != State::Paused) {
        m_owner.bodyWanted();
    }
}

bool Exchange::takesBody() const
{
    if (!m_r.hasBody || m_r.dropBody || (m_r.state != State::Upstream && m_r.state != State::Streaming)) {
        return true;
    }
    return m_upstream.takesBody();
}

void Exchange::requestBody(QByteArrayView chunk)
{
    m_r.bytesIn += chunk.size();
    m_requestBody.append(chunk);
    if (!m_r.dropBody) {
        m_upstream.writeBody(chunk);
    }
}

void Exchange::requestEnd()
{
    if (!m_r.dropBody && (m_r.state == State::Upstream || m_r.state == State::Streaming)) {
        m_upstream.endBody();
    }
    m_r.requestEnded = true;
    m_r.event.bytesIn = m_r.bytesIn;
}

// ---- local answers -----------------------------------------------------------------------

void Exchange::answerLocally()
{
    RequestContext &ctx = m_r.ctx;
    if (m_r.hasBody) {
        // Read and drop the body so the connection stays usable, unless the client is still
        // waiting for a 100 Continue: then it won't send the body at all, so close instead.
        m_r.keepAlive = m_r.keepAlive && !expectsContinue(*ctx.head);
        m_r.dropBody = true;
    }
    // A stage that ends the connection refused the request: the client may still be sending.
    const bool refused = ctx.response.closeConnection;
    m_r.keepAlive = m_r.keepAlive && !refused;
    m_r.event.status = ctx.response.status;
    m_r.event.error = ctx.response.error;
    QByteArray body;
    http::ResponseHead head = localResponseHead(ctx.response, ctx.requestId, body);
    m_worker.pipeline().respond(ctx, head);
    addLocalFraming(head, body.size(), m_r.keepAlive);
    writeHead(head);
    if (ctx.head->method != "HEAD" && !isBodylessStatus(head.status)) {
        m_responseBody.append(body);
        m_r.event.bytesOut = body.size();
        m_owner.output().append(body);
    }
    m_owner.flush();
    m_r.state = State::Answered;
    if (!m_r.keepAlive) {
        m_r.lingerOnClose = m_r.hasBody || refused; // the body was not read
        m_owner.stopReadingRequest();
    }
    m_owner.answered();
}

void Exchange::fail(int status, const QByteArray &code, const QString &message)
{
    if (m_r.state == State::Streaming || m_r.state == State::Answered || m_r.state == State::Tunnel) {
        m_owner.abort(); // an answer is out already: a second one would garble the connection
        return;
    }
    RequestContext &ctx = m_r.ctx;
    const Clock::time_point now = Clock::now();
    ctx.response = LocalResponse {};
    ctx.response.status = status;
    ctx.response.error = code;
    ctx.response.message = message;
    if (ctx.requestId.isEmpty()) { // no head was read
        m_r.recording = m_worker.recording();
        ctx.requestId = newRequestId();
        ctx.start = now;
        m_r.event.requestId = ctx.requestId;
        m_r.event.timeMs = QDateTime::currentMSecsSinceEpoch();
    }
    m_upstream.abandon();
    m_r.keepAlive = false;
    m_r.event.status = status;
    m_r.event.error = code;
    QByteArray body;
    http::ResponseHead head = localResponseHead(ctx.response, ctx.requestId, body);
    m_worker.pipeline().respond(ctx, head);
    addLocalFraming(head, body.size(), false);
    writeHead(head);
    if (!(ctx.head && ctx.head->method == "HEAD")) {
        m_responseBody.append(body);
        m_r.event.bytesOut = body.size();
        m_owner.output().append(body);
    }
    m_owner.flush();
    m_r.state = State::Answered;
    // Before the request's end (a body beyond max_body_bytes, a bad head), more may be coming.
    m_r.lingerOnClose = m_r.lingerOnClose || !m_r.requestEnded;
    m_owner.stopReadingRequest();
    m_owner.answered();
}

// ---- the upstream's answer ---------------------------------------------------------------

void Exchange::startUpstream()
{
    const http::MessageHead &head = *m_r.ctx.head;
    m_r.state = State::Upstream;
    if (m_r.hasBody && expectsContinue(head) && head.versionMinor >= 1) {
        // We stream the body ourselves, so we answer the expectation rather than the upstream.
        http::appendResponseHead(m_owner.output(), http::ResponseHead { 100, {}, {} });
        m_owner.flush();
    }
    m_upstream.start(m_r.ctx, m_r.event, head.chunked);
}

void Exchange::onUpstreamReady()
{
    if (!m_r.requestEnded) {
        m_owner.bodyWanted();
    }
}

bool Exchange::clientBacklogged() const
{
    return m_owner.pendingOutput() > kHighWater;
}

void Exchange::onUpstreamHead(const http::MessageHead &response)
{
    RequestContext &ctx = m_r.ctx;
    const http::MessageHead &request = *ctx.head;
    m_r.state = State::Streaming;
    m_r.event.status = response.status;
    if (m_r.event.capture) {
        m_r.event.responseHeaders = m_worker.captureArchive()->storeHeaders(response.headers); // as the upstream sent them
    }
    http::ResponseHead head = takeInResponse(ctx, response);
    m_worker.pipeline().respond(ctx, head);

    m_framing.begin(head, request, response, ctx.bodyFilter != nullptr, m_r.requestEnded, m_r.keepAlive);
    http::appendResponseHead(m_owner.output(), head);
}

void Exchange::onUpstreamBody(QByteArrayView chunk)
{
    m_responseBody.append(chunk);
    if (!m_framing.write(chunk, m_r.ctx.bodyFilter.get(), m_owner)) {
        m_owner.abort(); // zlib out of memory: nothing sane can follow the bytes already sent
    }
}

void Exchange::onUpstreamEnd(bool reusable)
{
    if (!m_framing.end(m_r.ctx.bodyFilter.get(), m_owner)) {
        m_owner.abort();
        return;
    }
    m_r.event.bytesOut = m_framing.bytesOut();
    m_r.state = State::Answered;
    m_upstream.release(reusable && m_r.requestEnded);
    if (!m_r.requestEnded) {
        // The upstream answered before the request body was all sent (an early 413, say):
        // the rest of the body has nowhere to go, so this connection ends here.
        m_r.keepAlive = false;
        m_r.lingerOnClose = true;
        m_owner.stopReadingRequest();
    }
    if (m_framing.endsWithClose()) {
        m_r.keepAlive = false;
    }
    m_owner.answered();
}

void Exchange::onUpstreamUpgrade(const http::MessageHead &response)
{
    m_r.state = State::Tunnel;
    m_r.event.status = 101;
    if (m_r.event.capture) {
        m_r.event.responseHeaders = m_worker.captureArchive()->storeHeaders(response.headers);
    }
    http::ResponseHead head = takeInResponse(m_r.ctx, response);
    m_worker.pipeline().respond(m_r.ctx, head);
    head.add("Connection", "Upgrade");
    head.add("Upgrade", "websocket");
    http::appendResponseHead(m_owner.output(), head);
    m_owner.flush();
    QByteArray unread;
    std::unique_ptr<net::Socket> upstream = m_upstream.takeForTunnel(unread);
    m_owner.upgrade(std::move(upstream), unread);
}

void Exchange::tunnelEnded(qint64 fromClient, qint64 fromUpstream, Clock::time_point now)
{
    m_r.bytesIn = fromClient;
    m_r.event.bytesOut = fromUpstream;
    record(now);
}

// ---- the end -----------------------------------------------------------------------------

// The gateway's own answer, kept as an upstream's would be: its header lines.
void Exchange::writeHead(http::ResponseHead &head)
{
    if (m_r.recording && m_worker.observed()) {
        m_r.event.capture = m_worker.captureArchive();
        m_r.event.responseHeaders = m_worker.captureArchive()->storeHeaders(head.headers);
    }
    http::appendResponseHead(m_owner.output(), head);
}

void Exchange::finish(Clock::time_point now)
{
    record(now);
    m_upstream.reset();
    m_requestBody.reset();
    m_responseBody.reset();
    m_r = Request {};
    m_r.event.client = m_clientAddress;
}

void Exchange::close()
{
    m_resume.reset(); // a paused stage's late resume finds nobody
    m_upstream.abandon();
}

void Exchange::record(Clock::time_point now)
{
    if (!m_r.recording) {
        m_worker.countServed();
        return;
    }
    const RequestContext &ctx = m_r.ctx;
    TrafficEvent &event = m_r.event;
    event.route = ctx.route ? ctx.route->name : QString();
    event.consumer = QString::fromUtf8(ctx.consumer);
    event.auth = ctx.authOutcome;
    if (ctx.route && ctx.route->jwt >= 0) {
        event.authProfile = ctx.config->jwt[std::size_t(ctx.route->jwt)].name;
    }
    event.rateLimited = ctx.rateLimited;
    event.secrets = ctx.config ? ctx.config->secretNames : nullptr; // the snapshot it ran on
    event.totalMs = msBetween(ctx.start, now);
    event.upstreamMs = ctx.upstreamMs;
    event.attempts = m_upstream.attempts();
    event.bytesIn = m_r.bytesIn;
    const QByteArrayView requestBody = m_requestBody.kept();
    const QByteArrayView responseBody = m_responseBody.kept();
    if (!requestBody.isEmpty() || !responseBody.isEmpty()) {
        const std::shared_ptr<CaptureArchive> &archive = m_worker.captureArchive();
        event.capture = archive;
        if (!requestBody.isEmpty()) {
            event.requestBody = archive->store(requestBody);
            event.requestBodyTruncated = m_requestBody.truncated();
        }
        if (!responseBody.isEmpty()) {
            event.responseBody = archive->store(responseBody);
            event.responseBodyTruncated = m_responseBody.truncated();
        }
    }
    m_worker.record(std::move(event));
}

} // namespace gatehouse::engine
