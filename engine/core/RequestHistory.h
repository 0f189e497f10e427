#pragma once

#include <deque>
#include <mutex>

#include <QByteArray>
#include <QList>
#include <QString>

#include "engine/traffic/RequestQuery.h"
#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::engine {

// The latest finished requests, for the admin API's /admin/requests. Workers append their own
// batches under the lock; a batch is kept as the same implicitly shared list the worker emits
// (Worker::trafficBatch, which the app's table keeps too), so keeping it copies no request.
class RequestHistory final
{
public:
    static constexpr qsizetype kDefaultCapacity = 10'000;

    explicit RequestHistory(qsizetype capacity = kDefaultCapacity);
    void append(const QList<TrafficEvent> &events);
    QList<TrafficEvent> query(const RequestQuery &query) const;
    qsizetype size() const;

private:
    mutable std::mutex m_mutex;
    qsizetype m_capacity;
    std::deque<QList<TrafficEvent>> m_batches; // oldest first; the oldest may reach past m_capacity
    qsizetype m_count = 0; // events in m_batches
};

} // namespace gatehouse::engine
