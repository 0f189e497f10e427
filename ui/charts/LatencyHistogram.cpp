#include "LatencyHistogram.h"

#include <algorithm>
#include <cmath>

namespace gatehouse::ui {

namespace {
constexpr double kFirstMs = 0.01;
constexpr double kGrowth = 1.1;
} // namespace

int LatencyHistogram::bucketOf(double ms)
{
    if (!(ms > kFirstMs)) {
        return 0;
    }
    const int bucket = int(std::log(ms / kFirstMs) / std::log(kGrowth)) + 1;
    return std::min(bucket, kBuckets - 1);
}

double LatencyHistogram::lowerBound(int bucket)
{
    return bucket <= 0 ? 0.0 : kFirstMs * std::pow(kGrowth, bucket - 1);
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
