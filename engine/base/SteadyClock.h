#pragma once

#include <chrono>

#include <QtGlobal>

namespace gatehouse::engine {

// Milliseconds on the monotonic clock. Upstream state classes take "now" as a parameter so
// tests can drive them with a clock of their own instead of waiting.
inline qint64 steadyNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double msBetween(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

} // namespace gatehouse::engine
