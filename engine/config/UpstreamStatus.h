#pragma once

#include <QList>
#include <QString>

namespace gatehouse::engine {

struct GatewayConfig;

// A moment's view of one target's live state, for the admin API and the desktop app.
struct TargetStatus
{
    QString url;
    int weight = 1;
    bool healthy = true; // the active health check's verdict (true when not checked)
    bool checked = false; // the upstream has a health_check
    QString lastCheck; // "HTTP 200", "Connection refused", ...; empty before the first check
    bool ejected = false;
    qint64 ejectedForMs = 0; // remaining
    int ejections = 0;
    bool available = true; // receives traffic: healthy and not ejected
    int inFlight = 0;
    double latencyMs = 0; // peak EWMA of the time to the response head; 0 before any answer
    quint64 requests = 0;
    quint64 failures = 0;
};

struct UpstreamStatus
{
    QString name;
    QString balance; // as in the profile: round_robin, least_latency, ...
    QString circuit; // "closed" | "open" | "half_open"; "none" without a circuit_breaker
    quint64 circuitOpenings = 0;
    quint64 retriesRefused = 0; // by the retry budget
    QList<TargetStatus> targets;
};

QList<UpstreamStatus> upstreamStatus(const GatewayConfig &config, qint64 nowMs);

} // namespace gatehouse::engine
