#include "StageHarness.h"

#include <QTest>

#include "engine/config/HostAllowList.h"
#include "engine/pipeline/RequestIntake.h"
#include "engine/pipeline/ResponseIntake.h"
#include "engine/profile/ProfileReader.h"

namespace gatehouse::engine::testing {

StageHarness::StageHarness(const QByteArray &profileYaml)
{
    const profile::ReadResult read = profile::readProfile(profileYaml, QStringLiteral("stage-test.yaml"), QString());
    if (!read.ok()) {
        for (const profile::Problem &problem : read.problems) {
            m_error += problem.toString() + QLatin1Char('\n');
        }
        return;
    }
    CompileResult compiled = GatewayConfig::compile(*read.profile, 1);
    if (!compiled.config) {
        m_error = compiled.errors.join(QLatin1Char('\n'));
        return;
    }
    config = compiled.config;
    const profile::Listener first = read.profile->listen.value(0);
    listener->hosts = HostAllowList::build(first, *config, {}, {});
    listener->port = first.bind.port;
}

bool StageHarness::start(const QByteArray &rawHead, const QByteArray &clientIp)
{
    m_parser = std::make_unique<http::HttpParser>(http::HttpParser::Mode::Request,
                                                  http::HttpParser::Limits { config->limits.maxHeaderBytes, config->limits.maxBodyBytes });
    qsizetype consumed = 0;
    if (m_parser->next(rawHead, consumed) != http::HttpParser::Event::Head) {
        return false;
    }
    ctx = RequestContext {};
    ctx.config = config;
    ctx.clientIp = clientIp;
    ctx.listener = listener.get();
    takeInRequest(ctx, m_parser->head());
    return true;
}

bool StageHarness::runUpTo(const char *stage)
{
    const int target = pipeline.indexOf(stage);
    if (target < 0) {
        return false;
    }
    for (ctx.nextStage = 0; ctx.nextStage < target; ++ctx.nextStage) {
        if (pipeline.stage(ctx.nextStage).onRequest(ctx) != StageResult::Continue) {
            return false;
        }
    }
    return true;
}

StageResult StageHarness::run(const char *stage)
{
    return pipeline.stage(pipeline.indexOf(stage)).onRequest(ctx);
}

StageResult StageHarness::runStage(const char *stage, const QByteArray &rawHead, const QByteArray &clientIp)
{
    if (!start(rawHead, clientIp) || !runUpTo(stage)) {
        // Recorded as a failure of the calling test whatever it then compares, so a head that does
        // not parse, or an earlier stage that answers, can never pass for the stage's own result.
        QTest::qFail(qPrintable(QStringLiteral("cannot reach stage '%1': the head does not parse or an earlier stage did not continue")
                                    .arg(QLatin1String(stage))),
                     __FILE__, __LINE__);
        return StageResult::Respond;
    }
    return run(stage);
}

bool StageHarness::answer(const QByteArray &rawHead)
{
    m_responseParser = std::make_unique<http::HttpParser>(http::HttpParser::Mode::Response);
    qsizetype consumed = 0;
    if (m_responseParser->next(rawHead, consumed) != http::HttpParser::Event::Head) {
        return false;
    }
    response = takeInResponse(ctx, m_responseParser->head());
    return true;
}

void StageHarness::runResponseStage(const char *name)
{
    Stage *stage = pipeline.responseStage(name);
    if (!stage) {
        QTest::qFail(qPrintable(QStringLiteral("no response stage '%1'").arg(QLatin1String(name))), __FILE__, __LINE__);
        return;
    }
    stage->onResponse(ctx, response);
}

void StageHarness::countResumes()
{
    resumes = 0;
    m_resumeTarget = std::make_shared<const std::function<void()>>([this] { ++resumes; });
    ctx.resume = ResumeHandle(m_resumeTarget);
}

} // namespace gatehouse::engine::testing
