#pragma once

#include <chrono>
#include <memory>

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "engine/config/StoreStatus.h"
#include "engine/config/UpstreamStatus.h"
#include "engine/http/HttpMessage.h"
#include "engine/pipeline/RouteExplanation.h"
#include "engine/profile/Profile.h"
#include "engine/core/ServiceInfo.h"
#include "engine/traffic/BodyCapturePolicy.h"
#include "engine/traffic/RequestQuery.h"
#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::engine {

class SecretStore;
class ServiceRunner;
struct RevocationEntry;

struct ListenerInfo
{
    QString host;
    quint16 port = 0; // the bound port (resolves port 0)
    bool tls = false;
    QString url() const;
};

struct GatewayError
{
    enum class Kind { InvalidProfile, BindFailed, Runtime };
    Kind kind = Kind::Runtime;
    QStringList messages;
};

// The engine's one entrance for the app and the UI: value types in, signals out.
// Lives on the caller's thread; traffic is served by worker threads it owns.
class Gateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gateway)
public:
    explicit Gateway(QObject *parent = nullptr);
    ~Gateway() override;

    // Binds every listener and starts the profile's services, or changes nothing and reports
    // why. The profile must already be valid (ProfileReader).
    bool start(const profile::Profile &profile);
    // Applies a new profile atomically: in-flight requests finish on the old snapshot,
    // unchanged listeners keep their sockets. On failure the old profile keeps running.
    bool apply(const profile::Profile &profile);
    // Stops accepting, lets in-flight requests finish (up to drainTimeout), then stops the
    // workers. Emits stopped() when done.
    void stop(std::chrono::milliseconds drainTimeout = std::chrono::seconds(10));

    bool isRunning() const;
    bool isDraining() const; // stop() was called and in-flight requests are finishing
    GatewayError lastError() const;
    QList<ListenerInfo> listeners() const;
    QList<ServiceInfo> services() const;
    const profile::Profile &profile() const;
    quint64 requestsServed() const;
    // Health, ejection, circuit, in-flight and latency of every upstream and target, now.
    // Cheap (relaxed atomic reads); call it as often as a view refreshes.
    QList<UpstreamStatus> upstreamStatus() const;
    // The Redis stores the profile uses and whether they answer.
    QList<StoreStatus> storeStatus() const;
    // The latest finished requests (newest first), kept when the profile has an admin API.
    QList<TrafficEvent> recentRequests(const RequestQuery &query) const;
    // Keep requests' headers for the app's traffic view even when the profile has no admin API.
    // A profile with `admin` keeps them anyway, and only it counts metrics and keeps the history
    // /admin/requests reads; the app takes its requests from trafficBatch.
    void setObserved(bool observed);
    // Which request and response bodies the app's traffic view keeps (none unless asked). They
    // stay in the workers' capture rings and never reach the admin API, the access log or /metrics.
    void setBodyCapture(BodyCapturePolicy policy);
    // Workers started from now on run at this nice value (0..19; Linux). The app uses a small
    // one so that, when traffic saturates the cores, its window is scheduled before the workers.
    void setWorkerNiceness(int niceness);
    // GET /metrics: the Prometheus text format, the workers' counters summed.
    QByteArray metricsText() const;
    // The route tester: what the running profile would do with this request (nothing is sent).
    RouteExplanation explainRoute(const QByteArray &method, const QString &url, const QList<http::Header> &headers) const;

    // Refuses a token on every route until its exp plus the longest leeway of the running JWT
    // profiles (SPEC §4 POST /admin/jwt/revoke, §7.1): by its jti,
    // or by its hash when it has none. The token need not verify. Survives profile reloads.
    bool revokeToken(const QByteArray &token, QString *error);
    bool revokeJti(const QString &jti, QString *error);
    // Keychain references in profiles resolve through `store` (not owned; may be null).
    void setSecretStore(SecretStore *store);
    // Runs the profiles' built-in services (the app's ServiceHost). Without one, a profile that
    // lists `services:` does not start. Set it before start().
    void setServiceRunner(std::unique_ptr<ServiceRunner> runner);

Q_SIGNALS:
    void started(const QList<gatehouse::engine::ListenerInfo> &listeners);
    void profileApplied();
    void errorOccurred(const gatehouse::engine::GatewayError &error);
    void trafficBatch(const QList<gatehouse::engine::TrafficEvent> &events);
    void stopped();

protected:
    // Whether anybody takes trafficBatch: without a receiver (and without an admin API) the
    // workers build no per-request events at all.
    void connectNotify(const QMetaMethod &signal) override;
    void disconnectNotify(const QMetaMethod &signal) override;

private:
    bool revoke(const RevocationEntry &entry, QString *error);

    std::unique_ptr<class GatewayPrivate> d;
};

} // namespace gatehouse::engine

Q_DECLARE_METATYPE(gatehouse::engine::ListenerInfo)
Q_DECLARE_METATYPE(gatehouse::engine::GatewayError)
