#include "WorkerMetrics.h"

#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::engine {

namespace {

// A method label from a bounded set: a client cannot mint new series with made-up methods.
QByteArray methodLabel(const QByteArray &method)
{
    static const QList<QByteArray> known { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
    for (const QByteArray &candidate : known) {
        if (method == candidate) {
            return candidate; // shares the static's buffer: no copy per request
        }
    }
    return "OTHER";
}

} // namespace

void Histogram::observe(double seconds)
{
    std::size_t i = 0;
    while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) {
        ++i;
    }
    if (i < kLatencyBuckets.size()) {
        ++buckets[i];
    }
    ++count;
    sum += seconds;
}

void Histogram::add(const Histogram &other)
{
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        buckets[i] += other.buckets[i];
    }
    count += other.count;
    sum += other.sum;
}

void RouteMetrics::add(const RouteMetrics &other)
{
    for (auto it = other.requests.cbegin(); it != other.requests.cend(); ++it) {
        requests[it.key()] += it.value();
    }
    duration.add(other.duration);
    upstream.add(other.upstream);
    rateLimited += other.rateLimited;
}

void MetricsSnapshot::add(const MetricsSnapshot &other)
{
    for (auto it = other.routes.cbegin(); it != other.routes.cend(); ++it) {
        routes[it.key()].add(it.value());
    }
    for (auto it = other.jwtFailures.cbegin(); it != other.jwtFailures.cend(); ++it) {
        jwtFailures[it.key()] += it.value();
    }
}

void WorkerMetrics::record(const TrafficEvent &event)
{
    const std::lock_guard lock(m_mutex);
    RouteMetrics &route = m_data.routes[event.route];
    ++route.requests[{ methodLabel(event.method), event.status }];
    route.duration.observe(event.totalMs / 1000.0);
    if (event.upstreamMs >= 0) {
        route.upstream.observe(event.upstreamMs / 1000.0);
    }
    route.rateLimited += event.rateLimited ? 1 : 0;
    if (!event.authProfile.isEmpty() && event.auth != "ok") {
        ++m_data.jwtFailures[{ event.authProfile, event.auth }];
    }
}

MetricsSnapshot WorkerMetrics::snapshot() const
{
    const std::lock_guard lock(m_mutex);
    return m_data;
}

} // namespace gatehouse::engine
