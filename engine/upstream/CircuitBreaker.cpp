#include "CircuitBreaker.h"

namespace gatehouse::engine {

CircuitBreaker::CircuitBreaker(int shards)
    : m_window(shards)
{
}

CircuitBreaker::Ticket CircuitBreaker::admit(const profile::CircuitBreaker &config, qint64 nowMs)
{
    if (m_state.load(std::memory_order_acquire) == State::Closed) {
        return { Admission::Allowed };
    }
    const std::lock_guard lock(m_mutex);
    State state = m_state.load(std::memory_order_relaxed);
    if (state == State::Open) {
        if (nowMs - m_openedAtMs.load(std::memory_order_relaxed) < config.openFor.count()) {
            return { Admission::Refused };
        }
        m_state.store(State::HalfOpen, std::memory_order_release);
        m_probesAdmitted = 0;
        m_probesSucceeded = 0;
        ++m_round;
        state = State::HalfOpen;
    }
    if (state == State::Closed) {
        return { Admission::Allowed };
    }
    if (m_probesAdmitted >= kProbes) {
        return { Admission::Refused };
    }
    ++m_probesAdmitted;
    return { Admission::Probe, m_round };
}

void CircuitBreaker::record(const profile::CircuitBreaker &config, Ticket ticket, bool failure, qint64 nowMs, int shard)
{
    if (ticket.admission == Admission::Probe) {
        const std::lock_guard lock(m_mutex);
        if (m_state.load(std::memory_order_relaxed) != State::HalfOpen || ticket.round != m_round) {
            return;
        }
        if (failure) {
            open(nowMs);
        } else if (++m_probesSucceeded >= kProbes) {
            m_window.reset();
            m_state.store(State::Closed, std::memory_order_release);
        }
        return;
    }
    if (ticket.admission != Admission::Allowed) {
        return;
    }
    const qint64 windowMs = config.window.count();
    m_window.add(shard, nowMs, windowMs, 1, failure ? 1 : 0);
    if (!failure) {
        return;
    }
    const RollingCounter::Totals totals = m_window.totals(nowMs, windowMs);
    if (totals.first < quint64(config.minRequests)
        || double(totals.second) * 100.0 <= config.errorRatePercent * double(totals.first)) {
        return;
    }
    const std::lock_guard lock(m_mutex);
    if (m_state.load(std::memory_order_relaxed) == State::Closed) {
        open(nowMs);
    }
}

void CircuitBreaker::abandon(Ticket ticket)
{
    if (ticket.admission != Admission::Probe) {
        return;
    }
    const std::lock_guard lock(m_mutex);
    if (m_state.load(std::memory_order_relaxed) == State::HalfOpen && ticket.round == m_round && m_probesAdmitted > 0) {
        --m_probesAdmitted;
    }
}

void CircuitBreaker::open(qint64 nowMs)
{
    m_openedAtMs.store(nowMs, std::memory_order_relaxed);
    m_timesOpened.fetch_add(1, std::memory_order_relaxed);
    m_window.reset();
    m_state.store(State::Open, std::memory_order_release);
}

RollingCounter::Totals CircuitBreaker::window(const profile::CircuitBreaker &config, qint64 nowMs) const
{
    return m_window.totals(nowMs, config.window.count());
}

} // namespace gatehouse::engine
