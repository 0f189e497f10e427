#pragma once

#include <mutex>

#include <QByteArray>
#include <QList>
#include <QString>

#include "engine/core/TrafficEvent.h"

namespace gatehouse::engine {

// What /admin/requests asks for: newest first, at most `limit`, matching every filter given.
struct RequestQuery
{
    int limit = 100;
    QString route; // exact; empty = any
    QByteArray status; // "404", or a class "5xx"; empty = any
    QByteArray requestId; // exact; empty = any
};

// The latest finished requests, one ring for the admin API and the desktop app alike (one source
// of truth). Workers append their own batches (under the lock, off the GUI thread, which would
// otherwise copy every request at high rates); the admin API queries from the gateway's thread.
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
    QList<TrafficEvent> m_events; // a ring once full: m_next is the oldest
    qsizetype m_next = 0;
};

} // namespace gatehouse::engine
