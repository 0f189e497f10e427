#pragma once

#include <atomic>

#include <QtGlobal>

namespace gatehouse::engine {

struct RequestContext;

enum class StageResult { Continue, Respond }; // Respond: ctx.response is final

// Counters each stage keeps; written by its worker, read by anyone (relaxed atomics).
struct StageStats
{
    std::atomic<quint64> evaluated { 0 };
    std::atomic<quint64> allowed { 0 };
    std::atomic<quint64> rejected { 0 };

    void count(bool allowedResult)
    {
        evaluated.fetch_add(1, std::memory_order_relaxed);
        (allowedResult ? allowed : rejected).fetch_add(1, std::memory_order_relaxed);
    }
};

// One step of the request pipeline. A stage never touches the socket: to reject, it fills
// ctx.response and returns Respond. Configuration comes from ctx.config, compiled at load.
class Stage
{
public:
    virtual ~Stage() = default;
    virtual const char *name() const = 0;
    virtual StageResult onRequest(RequestContext &ctx) = 0;
    const StageStats &stats() const { return m_stats; }

protected:
    StageResult finish(StageResult result)
    {
        m_stats.count(result == StageResult::Continue);
        return result;
    }

private:
    StageStats m_stats;
};

} // namespace gatehouse::engine
