#include "RequestHistory.h"

namespace gatehouse::engine {

namespace {

bool statusMatches(int status, const QByteArray &wanted)
{
    if (wanted.isEmpty()) {
        return true;
    }
    if (wanted.size() == 3 && wanted.endsWith("xx")) {
        return status / 100 == wanted.at(0) - '0';
    }
    return QByteArray::number(status) == wanted;
}

} // namespace

RequestHistory::RequestHistory(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(1, capacity))
{
}

void RequestHistory::append(const QList<TrafficEvent> &events)
{
    const std::lock_guard lock(m_mutex);
    for (const TrafficEvent &event : events) {
        if (m_events.size() < m_capacity) {
            m_events.append(event);
        } else {
            m_events[m_next] = event;
            m_next = (m_next + 1) % m_capacity;
        }
    }
}

qsizetype RequestHistory::size() const
{
    const std::lock_guard lock(m_mutex);
    return m_events.size();
}

QList<TrafficEvent> RequestHistory::query(const RequestQuery &query) const
{
    const std::lock_guard lock(m_mutex);
    QList<TrafficEvent> out;
    const qsizetype count = m_events.size();
    // Newest first: just before m_next, walking back around the ring.
    for (qsizetype i = 0; i < count && out.size() < query.limit; ++i) {
        const TrafficEvent &event = m_events.at((m_next - 1 - i + count) % count);
        if ((query.route.isEmpty() || event.route == query.route) && statusMatches(event.status, query.status)
            && (query.requestId.isEmpty() || event.requestId == query.requestId)) {
            out.append(event);
        }
    }
    return out;
}

} // namespace gatehouse::engine
