#include "LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace gatehouse::ui {

namespace {
constexpr double kFirstMs = 0.01;
constexpr double kGrowth = 1.1;
} // namespace

namespace {

// Bucket b >= 1 starts at kFirstMs * kGrowth^(b-1); computed once, then found by binary search,
// which at tens of thousands of requests a second costs far less than a log() per request.
const std::array<double, LatencyHistogram::kBuckets> &lowerBounds()
{
    static const auto bounds = [] {
        std::array<double, LatencyHistogram::kBuckets> out {};
        for (int b = 1; b < LatencyHistogram::kBuckets; ++b) {
            out[std::size_t(b)] = kFirstMs * std::pow(kGrowth, b - 1);
        }
        return out;
    }();
    return bounds;
}

} // namespace

int LatencyHistogram::bucketOf(double ms)
{
    if (!(ms > kFirstMs)) {
        return 0;
    }
    const auto &bounds = lowerBounds();
    return int(std::upper_bound(bounds.begin() + 1, bounds.end(), ms) - bounds.begin()) - 1;
}

double LatencyHistogram::lowerBound(int bucket)
{
    return bucket <= 0 ? 0.0 : lowerBounds()[std::size_t(std::min(bucket, kBuckets - 1))] * (bucket >= kBuckets ? kGrowth : 1.0);
}

void LatencyHistogram::add(double ms)
{
    ++m_counts[std::size_t(bucketOf(ms))];
    ++m_count;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        m_counts[i] += other.m_counts[i];
    }
    m_count += other.m_count;
}

double LatencyHistogram::quantile(double q) const
{
    if (m_count == 0) {
        return 0.0;
    }
    // The rank of the q-quantile sample, 1-based, as "nearest rank" percentiles count.
    const auto rank = quint64(std::max(1.0, std::ceil(std::clamp(q, 0.0, 1.0) * double(m_count))));
    quint64 seen = 0;
    for (int bucket = 0; bucket < kBuckets; ++bucket) {
        seen += m_counts[std::size_t(bucket)];
        if (seen >= rank) {
            return bucket == 0 ? kFirstMs / 2 : (lowerBound(bucket) + lowerBound(bucket + 1)) / 2;
        }
    }
    return lowerBound(kBuckets - 1);
}

} // namespace gatehouse::ui
