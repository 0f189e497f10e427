#pragma once

#include <functional>
#include <memory>

#include <QByteArray>
#include <QString>

#include "engine/config/GatewayConfig.h"
#include "engine/config/ListenerOptions.h"
#include "engine/http/HttpParser.h"
#include "engine/pipeline/Pipeline.h"
#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine::testing {

// One request's context built the way a connection builds it: from a profile (YAML, compiled as
// the gateway compiles it, for its first listener) and a raw request head. The pipeline's stages
// run in-process, with no socket: a stage test runs the stages before the one it tests, then
// that one, and looks at what it decided.
class StageHarness final
{
public:
    explicit StageHarness(const QByteArray &profileYaml);

    // Empty when the profile compiled; otherwise what was wrong with it.
    const QString &error() const { return m_error; }

    // Parses `rawHead` (the request line and headers, CRLF-terminated) and takes it in as the
    // session does, from `clientIp`. False when the head does not parse.
    bool start(const QByteArray &rawHead, const QByteArray &clientIp = "127.0.0.1");
    // Runs every stage before `stage` (each must continue: false otherwise), then `stage`.
    bool runUpTo(const char *stage);
    StageResult run(const char *stage);
    // start() then runUpTo() then run(): the usual one-stage check. When the stage cannot be
    // reached, the calling test is failed (QTest::qFail).
    StageResult runStage(const char *stage, const QByteArray &rawHead, const QByteArray &clientIp = "127.0.0.1");
    // For a stage that pauses (after start()): ctx.resume counts its calls in `resumes`, until
    // closeConnection() lets go of what it points to, as a session that ends does.
    void countResumes();
    void closeConnection() { m_resumeTarget.reset(); }
    int resumes = 0;

    // Response phase. Parses `rawHead` as the upstream's answer and takes it in as the exchange
    // does (into `response`, ctx.upstreamResponse). False when it does not parse.
    bool answer(const QByteArray &rawHead);
    // Runs the response stage `name` over `response`; the calling test fails when there is none.
    void runResponseStage(const char *name);
    http::ResponseHead response;

    RequestContext ctx;
    Pipeline pipeline;
    std::shared_ptr<const GatewayConfig> config;
    // The first listener's, as the gateway builds them (allowed hosts, port); tests may change them.
    std::shared_ptr<ListenerOptions> listener = std::make_shared<ListenerOptions>();

private:
    std::unique_ptr<http::HttpParser> m_parser;
    std::unique_ptr<http::HttpParser> m_responseParser;
    std::shared_ptr<const std::function<void()>> m_resumeTarget;
    QString m_error;
};

} // namespace gatehouse::engine::testing
