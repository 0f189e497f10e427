#pragma once

#include <atomic>
#include <mutex>

#include "engine/profile/Profile.h"
#include "engine/upstream/RollingCounter.h"

namespace gatehouse::engine {

// Per upstream, shared by every worker. Closed: requests flow and outcomes are counted over
// `window`; when at least `min_requests` saw more than `error_rate` failures it opens.
// Open: requests are refused (503) for `open_for`. Then half-open: kProbes requests go
// through; all succeeding closes it, any failing opens it again.
//
// The closed path is lock-free; transitions (rare) take a mutex. Every call takes the time so
// tests can drive it with their own clock.
class CircuitBreaker final
{
public:
    enum class State { Closed, Open, HalfOpen };
    static constexpr int kProbes = 3;

    enum class Admission { Refused, Allowed, Probe };
    // What admit() hands out. A probe carries its half-open round, so a probe of an earlier
    // round that ends late neither counts toward nor frees a slot of the current one.
    struct Ticket
    {
        Admission admission = Admission::Allowed;
        quint32 round = 0;
    };
    // `shards`: one per worker thread; see RollingCounter.
    explicit CircuitBreaker(int shards = 1);
    Ticket admit(const profile::CircuitBreaker &config, qint64 nowMs);
    // The outcome of an admitted request, from worker `shard`. A probe must report (or
    // abandon) exactly once.
    void record(const profile::CircuitBreaker &config, Ticket ticket, bool failure, qint64 nowMs, int shard = 0);
    // A probe that ended without an outcome (the client went away): frees its slot.
    void abandon(Ticket ticket);

    // Open stays Open until the first request after open_for turns it half-open.
    State state() const { return m_state.load(std::memory_order_acquire); }
    qint64 openedAtMs() const { return m_openedAtMs.load(std::memory_order_relaxed); }
    quint64 timesOpened() const { return m_timesOpened.load(std::memory_order_relaxed); }
    RollingCounter::Totals window(const profile::CircuitBreaker &config, qint64 nowMs) const;

private:
    void open(qint64 nowMs);

    std::atomic<State> m_state { State::Closed };
    std::atomic<qint64> m_openedAtMs { 0 };
    std::atomic<quint64> m_timesOpened { 0 };
    RollingCounter m_window; // first: requests, second: failures
    std::mutex m_mutex;
    int m_probesAdmitted = 0; // guarded by m_mutex
    int m_probesSucceeded = 0;
    quint32 m_round = 0; // half-open rounds so far
};

} // namespace gatehouse::engine
