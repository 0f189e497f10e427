#include "TrafficEvent.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace gatehouse::engine {

QJsonObject toAccessLogObject(const TrafficEvent &event)
{
    QJsonObject line {
        { QStringLiteral("time"),
          QDateTime::fromMSecsSinceEpoch(event.timeMs, Qt::UTC).toString(Qt::ISODateWithMs) },
        { QStringLiteral("request_id"), QString::fromLatin1(event.requestId) },
        { QStringLiteral("client"), QString::fromLatin1(event.client) },
        { QStringLiteral("method"), QString::fromLatin1(event.method) },
        { QStringLiteral("host"), QString::fromUtf8(event.host) },
        { QStringLiteral("path"), QString::fromUtf8(event.path) },
        { QStringLiteral("route"), event.route.isEmpty() ? QJsonValue() : QJsonValue(event.route) },
        { QStringLiteral("upstream"), event.upstream.isEmpty() ? QJsonValue() : QJsonValue(event.upstream) },
        { QStringLiteral("target"), event.target.isEmpty() ? QJsonValue() : QJsonValue(event.target) },
        { QStringLiteral("status"), event.status },
        { QStringLiteral("bytes_in"), event.bytesIn },
        { QStringLiteral("bytes_out"), event.bytesOut },
        { QStringLiteral("total_ms"), qRound(event.totalMs * 1000) / 1000.0 },
        { QStringLiteral("upstream_ms"),
          event.upstreamMs < 0 ? QJsonValue() : QJsonValue(qRound(event.upstreamMs * 1000) / 1000.0) },
        { QStringLiteral("queue_ms"), event.queueMs < 0 ? QJsonValue() : QJsonValue(qRound(event.queueMs * 1000) / 1000.0) },
        { QStringLiteral("connect_ms"),
          event.connectMs < 0 ? QJsonValue() : QJsonValue(qRound(event.connectMs * 1000) / 1000.0) },
        { QStringLiteral("attempts"), event.attempts },
        { QStringLiteral("consumer"), event.consumer.isEmpty() ? QJsonValue() : QJsonValue(event.consumer) },
        { QStringLiteral("auth"), event.auth.isEmpty() ? QJsonValue() : QJsonValue(QString::fromLatin1(event.auth)) },
        { QStringLiteral("canary"), event.canary },
        { QStringLiteral("rate_limited"), event.rateLimited },
    };
    if (!event.error.isEmpty()) {
        line.insert(QStringLiteral("error"), QString::fromLatin1(event.error));
    }
    return line;
}

QByteArray toAccessLogJson(const TrafficEvent &event)
{
    QByteArray json = QJsonDocument(toAccessLogObject(event)).toJson(QJsonDocument::Compact);
    json.append('\n');
    return json;
}

bool isSecretHeader(const TrafficEvent &event, QByteArrayView name)
{
    return event.secrets ? event.secrets->isSecretHeader(name) : isSecretHeader(name);
}

QJsonObject redactedHeaders(const TrafficEvent &event, const QByteArray &flattened)
{
    QJsonObject out;
    for (const QByteArray &line : flattened.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QByteArray rawName = line.left(colon);
        const QString name = QString::fromLatin1(rawName.toLower());
        const bool hidden = isSecretHeader(event, rawName);
        const QString value = hidden ? QStringLiteral("[redacted]") : QString::fromUtf8(line.mid(colon + 1).trimmed());
        const QString before = out.value(name).toString();
        out.insert(name, before.isEmpty() ? value : before + QStringLiteral(", ") + value);
    }
    return out;
}

} // namespace gatehouse::engine
