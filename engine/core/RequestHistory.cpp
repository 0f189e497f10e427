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
    if (events.isEmpty()) {
        return;
    }
    const std::lock_guard lock(m_mutex);
    m_batches.push_back(events);
    m_count += events.size();
    // Drop whole batches once the rest still holds `capacity` events.
    while (m_count - m_batches.front().size() >= m_capacity) {
        m_count -= m_batches.front().size();
        m_batches.pop_front();
    }
}

qsizetype RequestHistory::size() const
{
    const std::lock_guard lock(m_mutex);
    return std::min(m_count, m_capacity);
}

QList<TrafficEvent> RequestHistory::query(const RequestQuery &query) const
{
    const std::lock_guard lock(m_mutex);
    QList<TrafficEvent> out;
    qsizetype seen = 0;
    // Newest first, and never past the newest `capacity` events.
    for (auto batch = m_batches.crbegin(); batch != m_batches.crend(); ++batch) {
        for (qsizetype i = batch->size() - 1; i >= 0; --i) {
            if (seen++ >= m_capacity || out.size() >= query.limit) {
                return out;
            }
            const TrafficEvent &event = batch->at(i);
            if ((query.route.isEmpty() || event.route == query.route) && statusMatches(event.status, query.status)
                && (query.requestId.isEmpty() || event.requestId == query.requestId)) {
                out.append(event);
            }
        }
    }
    return out;
}

} // namespace gatehouse::engine
