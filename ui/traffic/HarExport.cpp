#include "HarExport.h"

#include <algorithm>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

#include "engine/core/LocalResponse.h"
#include "ui/traffic/EventHeaders.h"

namespace gatehouse::ui {

namespace {

QJsonArray harHeaders(const HeaderList &headers)
{
    QJsonArray out;
    for (const auto &[name, value] : headers) {
        out.append(QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("value"), value } });
    }
    return out;
}

QString firstHeader(const HeaderList &headers, const QString &name)
{
    const auto found = std::find_if(headers.cbegin(), headers.cend(), [&name](const auto &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    return found == headers.cend() ? QString() : found->second;
}

QJsonArray queryString(const QByteArray &path)
{
    QJsonArray out;
    const qsizetype question = path.indexOf('?');
    if (question < 0) {
        return out;
    }
    const QUrlQuery query(QString::fromUtf8(path.mid(question + 1)));
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        out.append(QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("value"), value } });
    }
    return out;
}

// Milliseconds to the microsecond, as the access log writes them.
double ms(double value)
{
    return qRound64(value * 1000) / 1000.0;
}

QJsonObject entry(const engine::TrafficEvent &event, const QString &base)
{
    const std::optional<HeaderList> sent = requestHeaders(event);
    const std::optional<HeaderList> answered = responseHeaders(event);
    const HeaderList responseList = answered.value_or(HeaderList {});

    QJsonObject request {
        { QStringLiteral("method"), QString::fromLatin1(event.method) },
        { QStringLiteral("url"), base + QString::fromUtf8(event.path) },
        { QStringLiteral("httpVersion"), QStringLiteral("HTTP/1.1") },
        { QStringLiteral("cookies"), QJsonArray() }, // cookies are secrets here: never exported
        { QStringLiteral("headers"), harHeaders(sent.value_or(HeaderList {})) },
        { QStringLiteral("queryString"), queryString(event.path) },
        { QStringLiteral("headersSize"), -1 },
        { QStringLiteral("bodySize"), event.bytesIn },
    };
    if (!sent) {
        request.insert(QStringLiteral("comment"), headersUnavailableReason(event, HeaderSide::Request));
    }
    QJsonObject response {
        { QStringLiteral("status"), event.status },
        { QStringLiteral("statusText"), QString::fromLatin1(engine::reasonPhrase(event.status)) },
        { QStringLiteral("httpVersion"), QStringLiteral("HTTP/1.1") },
        { QStringLiteral("cookies"), QJsonArray() },
        { QStringLiteral("headers"), harHeaders(responseList) },
        { QStringLiteral("content"),
          QJsonObject { { QStringLiteral("size"), event.bytesOut },
                        { QStringLiteral("mimeType"), firstHeader(responseList, QStringLiteral("content-type")) },
                        { QStringLiteral("comment"), QStringLiteral("Gatehouse does not capture bodies.") } } },
        { QStringLiteral("redirectURL"), firstHeader(responseList, QStringLiteral("location")) },
        { QStringLiteral("headersSize"), -1 },
        { QStringLiteral("bodySize"), event.bytesOut },
    };
    if (!answered) {
        response.insert(QStringLiteral("comment"), headersUnavailableReason(event, HeaderSide::Response));
    }
    // HAR wants time == send + wait + receive. The gateway measures the whole exchange and the
    // upstream's share; waiting for the upstream is "wait", the gateway's own work "receive".
    const double total = ms(std::max(0.0, event.totalMs));
    const double wait = event.upstreamMs >= 0 ? ms(std::min(event.upstreamMs, total)) : total;
    QJsonObject timings {
        { QStringLiteral("blocked"), -1 },
        { QStringLiteral("dns"), -1 },
        { QStringLiteral("connect"), -1 },
        { QStringLiteral("send"), 0 },
        { QStringLiteral("wait"), wait },
        { QStringLiteral("receive"), ms(total - wait) },
        { QStringLiteral("ssl"), -1 },
    };
    QJsonObject out {
        { QStringLiteral("startedDateTime"), QDateTime::fromMSecsSinceEpoch(event.timeMs, Qt::UTC).toString(Qt::ISODateWithMs) },
        { QStringLiteral("time"), total },
        { QStringLiteral("request"), request },
        { QStringLiteral("response"), response },
        { QStringLiteral("cache"), QJsonObject() },
        { QStringLiteral("timings"), timings },
        { QStringLiteral("_route"), event.route.isEmpty() ? QJsonValue() : QJsonValue(event.route) },
        { QStringLiteral("_requestId"), QString::fromLatin1(event.requestId) },
        { QStringLiteral("_auth"), event.auth.isEmpty() ? QJsonValue() : QJsonValue(QString::fromLatin1(event.auth)) },
    };
    if (!event.target.isEmpty()) {
        out.insert(QStringLiteral("_target"), event.target);
    }
    if (!event.error.isEmpty()) {
        out.insert(QStringLiteral("_error"), QString::fromLatin1(event.error));
    }
    return out;
}

} // namespace

QJsonDocument harFor(const QList<engine::TrafficEvent> &events, const QString &baseUrl)
{
    QString base = baseUrl;
    while (base.endsWith(u'/')) {
        base.chop(1);
    }
    QJsonArray entries;
    for (const engine::TrafficEvent &event : events) {
        entries.append(entry(event, base));
    }
    const QJsonObject log {
        { QStringLiteral("version"), QStringLiteral("1.2") },
        { QStringLiteral("creator"),
          QJsonObject { { QStringLiteral("name"), QStringLiteral("Gatehouse") },
                        { QStringLiteral("version"), QStringLiteral(GATEHOUSE_UI_VERSION) } } },
        { QStringLiteral("entries"), entries },
    };
    return QJsonDocument(QJsonObject { { QStringLiteral("log"), log } });
}

} // namespace gatehouse::ui
