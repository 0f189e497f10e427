#pragma once

#include <array>

#include <QtGlobal>

namespace gatehouse::ui {

// Latencies counted in log-spaced buckets (each 10% wider than the last, 10 µs to ~2 min), so a
// percentile is read from counts with at most 5% error instead of keeping every sample.
class LatencyHistogram final
{
public:
    static constexpr int kBuckets = 172;

    void add(double ms);
    void merge(const LatencyHistogram &other);
    quint64 count() const { return m_count; }
    // The q-quantile (0..1) in ms, 0 when empty: the midpoint of the bucket it falls in.
    double quantile(double q) const;

    static int bucketOf(double ms);
    static double lowerBound(int bucket);

private:
    std::array<quint32, kBuckets> m_counts {};
    quint64 m_count = 0;
};

} // namespace gatehouse::ui
