#include "RateLimitStage.h"

#include "engine/base/Logging.h"
#include "engine/base/SteadyClock.h"
#include "engine/pipeline/RequestContext.h"

namespace gatehouse::engine {

namespace {

// The bucket key. A consumer limit on a request without a verified subject, and a header limit
// on a request without that header, count by client address: never one shared anonymous bucket
// that one noisy client could drain for everybody.
QByteArray bucketKey(const RouteRateLimit &limit, const RequestContext &ctx)
{
    switch (limit.key) {
    case RouteRateLimit::Key::Consumer:
        return ctx.consumer.isEmpty() ? "ip:" + ctx.clientIp : "sub:" + ctx.consumer;
    case RouteRateLimit::Key::Header: {
        const QByteArray value = ctx.head->header(limit.header);
        return value.isEmpty() ? "ip:" + ctx.clientIp : "h:" + value;
    }
    case RouteRateLimit::Key::Ip:
        return ctx.clientIp;
    case RouteRateLimit::Key::Route:
    case RouteRateLimit::Key::Global:
        break;
    }
    return {};
}

// Which decision the headers show: a refusal over an allowance, the longest wait among
// refusals, the fewest remaining among allowances.
bool tighter(const RateLimitDecision &a, const RateLimitDecision &b)
{
    if (a.allowed() != b.allowed()) {
        return !a.allowed();
    }
    return a.allowed() ? a.remaining < b.remaining : a.resetSeconds > b.resetSeconds;
}

void showHeaders(RequestContext &ctx, const RateLimitDecision &shown)
{
    // The first run's headers give way to a tighter decision of the second (one set per answer).
    ctx.responseHeaders.removeIf([](const std::pair<QByteArray, QByteArray> &header) {
        return header.first.startsWith("RateLimit-");
    });
    ctx.responseHeaders.append({ QByteArray("RateLimit-Limit"), QByteArray::number(shown.limit) });
    ctx.responseHeaders.append({ QByteArray("RateLimit-Remaining"), QByteArray::number(shown.remaining) });
    ctx.responseHeaders.append({ QByteArray("RateLimit-Reset"), QByteArray::number(shown.resetSeconds) });
    ctx.rateLimitShown = shown;
}

} // namespace

StageResult RateLimitStage::onRequest(RequestContext &ctx)
{
    if (!ctx.route || ctx.route->rateLimits.isEmpty()) {
        return StageResult::Continue;
    }
    if (!ctx.storeAnswers) {
        ctx.storeAnswers = std::make_shared<StoreAnswers>();
    }
    QList<std::optional<RateLimitDecision>> &decisions = ctx.storeAnswers->rateLimits;
    decisions.resize(ctx.route->rateLimits.size());
    const qint64 now = steadyNowNs();
    std::optional<RateLimitDecision> tightest;
    for (qsizetype i = 0; i < ctx.route->rateLimits.size(); ++i) {
        const RouteRateLimit &limit = ctx.route->rateLimits[i];
        if ((limit.key == RouteRateLimit::Key::Consumer) != (m_phase == Phase::AfterAuth)) {
            continue; // the other run's
        }
        // Each limit counts the request once: after a pause the decisions so far are kept.
        if (!decisions[i]) {
            decisions[i] = limit.store->check(limit.limit, bucketKey(limit, ctx), now,
                                              [answers = ctx.storeAnswers, i, resume = ctx.resume](const RateLimitDecision &answer) {
                                                  answers->rateLimits[i] = answer;
                                                  resume();
                                              });
            if (!decisions[i]) {
                return StageResult::Pause; // a shared store asks; this stage runs again with its answer
            }
        }
        const RateLimitDecision &decision = *decisions[i];
        if (decision.outcome == RateLimitDecision::Outcome::Unavailable) {
            if (!limit.failClosed) {
                continue; // fail open: the store logs its outage once per backoff
            }
            ctx.response.status = 503;
            ctx.response.error = "rate_limit_unavailable";
            ctx.response.message = QStringLiteral("rate limit %1 cannot be checked now (its store is unreachable)").arg(limit.profile);
            ctx.responseHeaders.append({ QByteArray("Retry-After"), QByteArray("1") });
            return StageResult::Respond;
        }
        if (!tightest || tighter(decision, *tightest)) {
            tightest = decision;
        }
    }
    if (!tightest) {
        return StageResult::Continue;
    }
    if (!ctx.rateLimitShown || tighter(*tightest, *ctx.rateLimitShown)) {
        showHeaders(ctx, *tightest);
    }
    if (tightest->allowed()) {
        return StageResult::Continue;
    }
    ctx.rateLimited = true;
    ctx.responseHeaders.append({ QByteArray("Retry-After"), QByteArray::number(tightest->resetSeconds) });
    ctx.response.status = 429;
    ctx.response.error = "rate_limited";
    ctx.response.message = QStringLiteral("too many requests; retry in %1 s").arg(tightest->resetSeconds);
    return StageResult::Respond;
}

} // namespace gatehouse::engine
