#pragma once

#include <QByteArray>
#include <QList>

#include "engine/config/UpstreamStatus.h"
#include "engine/metrics/WorkerMetrics.h"

namespace gatehouse::engine {

struct GaugeInputs
{
    QList<UpstreamStatus> upstreams;
    int activeConnections = 0;
};

// The Prometheus text exposition format 0.0.4 (GET /metrics): the workers' counters summed,
// upstream health and connections as gauges, and the process_* metrics every exporter has.
QByteArray renderPrometheus(const MetricsSnapshot &metrics, const GaugeInputs &gauges);

} // namespace gatehouse::engine
