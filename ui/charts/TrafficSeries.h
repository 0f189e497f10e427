#pragma once

#include <array>
#include <map>
#include <vector>

#include <QList>
#include <QString>
#include <QStringList>

#include "engine/traffic/TrafficEvent.h"
#include "ui/charts/LatencyHistogram.h"

namespace gatehouse::ui {

// The last five minutes of traffic in one-second slots: requests per status class, and a
// latency histogram per route. Old slots are reused as time moves on, so memory stays fixed
// whatever the request rate. Time comes from the caller (tests drive it).
class TrafficSeries final
{
public:
    static constexpr int kSeconds = 300;

    struct Point
    {
        qint64 second = 0; // seconds since the epoch
        std::array<quint32, 5> statusClasses {}; // 1xx .. 5xx
        quint32 total() const;
    };

    // Counts each event in the slot of the second it finished in (start + duration).
    void add(const QList<engine::TrafficEvent> &events);
    void clear();

    // One point per second from nowSecond - kSeconds + 1 to nowSecond; empty seconds are zero.
    QList<Point> points(qint64 nowSecond) const;
    // Latency of a route ("" = all routes) over the `window` seconds ending at nowSecond.
    LatencyHistogram latency(const QString &route, qint64 nowSecond, int window) const;
    // Per-second p50/p95/p99 over a sliding `window`, one triple per second like points().
    struct Quantiles
    {
        double p50 = 0, p95 = 0, p99 = 0;
        quint64 count = 0;
    };
    QList<Quantiles> quantiles(const QString &route, qint64 nowSecond, int window) const;
    QStringList routes() const; // routes seen in the kept window, sorted

private:
    struct Slot
    {
        qint64 second = -1;
        std::array<quint32, 5> statusClasses {};
        std::map<QString, LatencyHistogram> latency;
    };
    const Slot *slotFor(qint64 second) const;

    std::array<Slot, kSeconds> m_slots {};
};

} // namespace gatehouse::ui
