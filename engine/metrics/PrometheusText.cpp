#include "PrometheusText.h"

#include <cmath>

#include <unistd.h>

#include <QDateTime>
#include <QDir>
#include <QFile>

namespace gatehouse::engine {

namespace {

// Label values escape backslash, double quote and newline (text format 0.0.4).
QByteArray escaped(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 17);
}

class Writer
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        m_out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
    void sample(const QByteArray &name, const QList<std::pair<const char *, QString>> &labels, const QByteArray &value)
    {
        m_out.append(name);
        if (!labels.isEmpty()) {
            m_out.append('{');
            for (qsizetype i = 0; i < labels.size(); ++i) {
                m_out.append(i ? "," : "").append(labels[i].first).append("=\"").append(escaped(labels[i].second)).append('"');
            }
            m_out.append('}');
        }
        m_out.append(' ').append(value).append('\n');
    }
    void histogram(const char *name, const QString &route, const Histogram &histogram)
    {
        quint64 cumulative = 0;
        for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            cumulative += histogram.buckets[i];
            sample(QByteArray(name) + "_bucket", { { "route", route }, { "le", QString::number(kLatencyBuckets[i]) } },
                   QByteArray::number(cumulative));
        }
        sample(QByteArray(name) + "_bucket", { { "route", route }, { "le", QStringLiteral("+Inf") } }, QByteArray::number(histogram.count));
        sample(QByteArray(name) + "_sum", { { "route", route } }, number(histogram.sum));
        sample(QByteArray(name) + "_count", { { "route", route } }, QByteArray::number(histogram.count));
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

// /proc/self/stat fields 14, 15 (utime, stime, ticks) and 22 (start time, ticks after boot).
void processMetrics(Writer &out)
{
    QFile stat(QStringLiteral("/proc/self/stat"));
    QFile uptime(QStringLiteral("/proc/uptime"));
    if (!stat.open(QIODevice::ReadOnly) || !uptime.open(QIODevice::ReadOnly)) {
        return;
    }
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3
    const double ticks = double(sysconf(_SC_CLK_TCK));
    if (fields.size() < 22) {
        return;
    }
    const double cpu = (fields[11].toDouble() + fields[12].toDouble()) / ticks;
    const double startedAfterBoot = fields[19].toDouble() / ticks;
    const double bootAgo = uptime.readAll().split(' ').value(0).toDouble();
    const double now = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    const double resident = fields[21].toDouble() * double(sysconf(_SC_PAGESIZE));

    out.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    out.sample("process_cpu_seconds_total", {}, number(cpu));
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", {}, number(resident));
    out.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    out.sample("process_start_time_seconds", {}, number(std::floor(now - bootAgo + startedAfterBoot)));
    out.family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.sample("process_open_fds", {}, QByteArray::number(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System).size()));
}

} // namespace

QByteArray renderPrometheus(const MetricsSnapshot &metrics, const GaugeInputs &gauges)
{
    Writer out;
    QStringList routes = metrics.routes.keys();
    routes.sort();

    out.family("gatehouse_requests_total", "counter", "Requests answered, by route, method and status.");
    for (const QString &route : std::as_const(routes)) {
        const RouteMetrics &m = metrics.routes.value(route);
        for (auto it = m.requests.cbegin(); it != m.requests.cend(); ++it) {
            out.sample("gatehouse_requests_total",
                       { { "route", route }, { "method", QString::fromLatin1(it.key().first) }, { "status", QString::number(it.key().second) } },
                       QByteArray::number(it.value()));
        }
    }
    out.family("gatehouse_request_duration_seconds", "histogram", "Time from the request's start to its last byte, by route.");
    for (const QString &route : std::as_const(routes)) {
        out.histogram("gatehouse_request_duration_seconds", route, metrics.routes.value(route).duration);
    }
    out.family("gatehouse_upstream_duration_seconds", "histogram", "Time the upstream took to answer (to the response head), by route.");
    for (const QString &route : std::as_const(routes)) {
        out.histogram("gatehouse_upstream_duration_seconds", route, metrics.routes.value(route).upstream);
    }
    out.family("gatehouse_rate_limited_total", "counter", "Requests refused by a rate limit, by route.");
    for (const QString &route : std::as_const(routes)) {
        out.sample("gatehouse_rate_limited_total", { { "route", route } }, QByteArray::number(metrics.routes.value(route).rateLimited));
    }
    out.family("gatehouse_jwt_failures_total", "counter", "Requests refused by JWT verification, by JWT profile and reason.");
    for (auto it = metrics.jwtFailures.cbegin(); it != metrics.jwtFailures.cend(); ++it) {
        out.sample("gatehouse_jwt_failures_total", { { "profile", it.key().first }, { "reason", QString::fromLatin1(it.key().second) } },
                   QByteArray::number(it.value()));
    }
    out.family("gatehouse_upstream_healthy", "gauge", "1 when a target takes traffic (healthy and not ejected), else 0.");
    for (const UpstreamStatus &upstream : gauges.upstreams) {
        for (const TargetStatus &target : upstream.targets) {
            out.sample("gatehouse_upstream_healthy", { { "upstream", upstream.name }, { "target", target.url } }, target.available ? "1" : "0");
        }
    }
    out.family("gatehouse_active_connections", "gauge", "Client connections open now.");
    out.sample("gatehouse_active_connections", {}, QByteArray::number(gauges.activeConnections));
    processMetrics(out);
    return out.take();
}

} // namespace gatehouse::engine
