#include "TrafficSeries.h"

#include <algorithm>
#include <set>

namespace gatehouse::ui {

quint32 TrafficSeries::Point::total() const
{
    quint32 sum = 0;
    for (const quint32 n : statusClasses) {
        sum += n;
    }
    return sum;
}

void TrafficSeries::add(const QList<engine::TrafficEvent> &events)
{
    // A batch is mostly runs of one route in one second: find its histogram once per run.
    const Slot *lastSlot = nullptr;
    const QString *lastRoute = nullptr;
    LatencyHistogram *histogram = nullptr;
    for (const engine::TrafficEvent &e : events) {
        const qint64 second = (e.timeMs + qint64(e.totalMs)) / 1000;
        Slot &slot = m_slots[std::size_t(second % kSeconds)];
        if (slot.second != second) {
            if (slot.second > second) {
                continue; // older than what this slot already holds: outside the window
            }
            slot = Slot {};
            slot.second = second;
            lastSlot = nullptr;
        }
        const int statusClass = std::clamp(e.status / 100, 1, 5);
        ++slot.statusClasses[std::size_t(statusClass - 1)];
        if (lastSlot != &slot || !lastRoute || *lastRoute != e.route) {
            histogram = &slot.latency[e.route];
            lastSlot = &slot;
            lastRoute = &e.route;
        }
        histogram->add(e.totalMs);
    }
}

void TrafficSeries::clear()
{
    m_slots.fill(Slot {});
}

const TrafficSeries::Slot *TrafficSeries::slotFor(qint64 second) const
{
    const Slot &slot = m_slots[std::size_t(((second % kSeconds) + kSeconds) % kSeconds)];
    return slot.second == second ? &slot : nullptr;
}

QList<TrafficSeries::Point> TrafficSeries::points(qint64 nowSecond) const
{
    QList<Point> out;
    out.reserve(kSeconds);
    for (qint64 second = nowSecond - kSeconds + 1; second <= nowSecond; ++second) {
        Point point;
        point.second = second;
        if (const Slot *slot = slotFor(second)) {
            point.statusClasses = slot->statusClasses;
        }
        out.append(point);
    }
    return out;
}

LatencyHistogram TrafficSeries::latency(const QString &route, qint64 nowSecond, int window) const
{
    LatencyHistogram sum;
    for (qint64 second = nowSecond - std::min(window, kSeconds) + 1; second <= nowSecond; ++second) {
        const Slot *slot = slotFor(second);
        if (!slot) {
            continue;
        }
        for (const auto &[name, histogram] : slot->latency) {
            if (route.isEmpty() || name == route) {
                sum.merge(histogram);
            }
        }
    }
    return sum;
}

QList<TrafficSeries::Quantiles> TrafficSeries::quantiles(const QString &route, qint64 nowSecond, int window) const
{
    QList<Quantiles> out;
    out.reserve(kSeconds);
    for (qint64 second = nowSecond - kSeconds + 1; second <= nowSecond; ++second) {
        const LatencyHistogram histogram = latency(route, second, window);
        out.append({ histogram.quantile(0.50), histogram.quantile(0.95), histogram.quantile(0.99), histogram.count() });
    }
    return out;
}

QStringList TrafficSeries::routes() const
{
    std::set<QString> names;
    for (const Slot &slot : m_slots) {
        for (const auto &[name, histogram] : slot.latency) {
            names.insert(name);
        }
    }
    return QStringList(names.begin(), names.end());
}

} // namespace gatehouse::ui
