#pragma once

#include <array>
#include <mutex>

#include <QByteArray>
#include <QHash>
#include <QString>

namespace gatehouse::engine {

struct TrafficEvent;

// Histogram buckets, seconds: Prometheus client defaults, good for request latencies.
inline constexpr std::array<double, 11> kLatencyBuckets { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

struct Histogram
{
    std::array<quint64, kLatencyBuckets.size()> buckets {}; // not cumulative: one bucket per sample
    quint64 count = 0;
    double sum = 0;
    void observe(double seconds);
    void add(const Histogram &other);
};

// What one worker counted, by route name (so a reload that keeps a route keeps its series).
struct RouteMetrics
{
    QHash<std::pair<QByteArray, int>, quint64> requests; // (method, status) → count
    Histogram duration;
    Histogram upstream;
    quint64 rateLimited = 0;
    void add(const RouteMetrics &other);
};

struct MetricsSnapshot
{
    QHash<QString, RouteMetrics> routes;
    QHash<std::pair<QString, QByteArray>, quint64> jwtFailures; // (JWT profile, reason) → count
    void add(const MetricsSnapshot &other);
};

// Counters of one worker: written by its thread once per finished request, read when /metrics is
// scraped. The lock is the worker's own, so workers never contend with each other; the request
// path hashes a route name and bumps numbers, it formats nothing.
class WorkerMetrics final
{
public:
    void record(const TrafficEvent &event);
    MetricsSnapshot snapshot() const;

private:
    mutable std::mutex m_mutex;
    MetricsSnapshot m_data;
};

} // namespace gatehouse::engine
