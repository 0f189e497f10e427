#pragma once

#include <functional>
#include <memory>
#include <utility>

namespace gatehouse::engine {

// What a paused stage calls, on the worker's thread, to let its request go on. The connection
// owns what it points to: once the connection is gone, calling the handle does nothing, so a
// timer or a store reply that outlives its connection is harmless.
class ResumeHandle
{
public:
    ResumeHandle() = default;
    explicit ResumeHandle(std::weak_ptr<const std::function<void()>> target)
        : m_target(std::move(target))
    {
    }

    void operator()() const
    {
        if (const auto target = m_target.lock()) {
            (*target)();
        }
    }

private:
    std::weak_ptr<const std::function<void()>> m_target;
};

} // namespace gatehouse::engine
