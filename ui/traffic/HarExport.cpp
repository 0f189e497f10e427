#include "HarExport.h"

#include <algorithm>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

#include "engine/core/EngineTools.h"
#include "ui/traffic/BodyPreview.h"
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
double toMicrosecondMs(double value)
{
    return qRound64(value * 1000) / 1000.0;
}

QString partNote(const engine::TrafficEvent &event, BodySide side)
{
    return capturedWhole(event, side) ? QString() : QStringLiteral("Only the start of the body was captured.");
}

// response.content: the captured body as text, or base64 when it is not UTF-8.
QJsonObject content(const engine::TrafficEvent &event, const QString &mimeType)
{
    QJsonObject out { { QStringLiteral("size"), event.bytesOut }, { QStringLiteral("mimeType"), mimeType } };
    const std::optional<QByteArray> body = capturedBody(event, BodySide::Response);
    if (!body) {
        if (event.bytesOut > 0) {
            out.insert(QStringLiteral("comment"), QStringLiteral("The body was not captured."));
        }
        return out;
    }
    if (const std::optional<QString> text = bodyText(*body)) {
        out.insert(QStringLiteral("text"), *text);
    } else {
        out.insert(QStringLiteral("text"), QString::fromLatin1(body->toBase64()));
        out.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
    }
    if (const QString note = partNote(event, BodySide::Response); !note.isEmpty()) {
        out.insert(QStringLiteral("comment"), note);
    }
    return out;
}

// request.postData, when the request body was captured as text (HAR has no encoding for it).
std::optional<QJsonObject> postData(const engine::TrafficEvent &event, const QString &mimeType)
{
    const std::optional<QByteArray> body = capturedBody(event, BodySide::Request);
    const std::optional<QString> text = body ? bodyText(*body) : std::nullopt;
    if (!text) {
        return std::nullopt;
    }
    QJsonObject out { { QStringLiteral("mimeType"), mimeType }, { QStringLiteral("text"), *text } };
    if (const QString note = partNote(event, BodySide::Request); !note.isEmpty()) {
        out.insert(QStringLiteral("comment"), note);
    }
    return out;
}

// HAR wants time == blocked + connect + send + wait + receive, leaving out those that are -1:
// the gateway's own work before the upstream is "blocked", the answering attempt's connect
// "connect", the rest of the attempt up to the response head "wait", and the response's
// transfer "receive". Without an upstream the whole exchange is "wait".
QJsonObject timings(const engine::TrafficEvent &event)
{
    const double total = toMicrosecondMs(std::max(0.0, event.totalMs));
    double blocked = -1;
    double connect = -1;
    double wait = total;
    if (event.upstreamMs >= 0) {
        blocked = event.queueMs >= 0 ? toMicrosecondMs(std::min(event.queueMs, total)) : -1;
        const double upstream = toMicrosecondMs(std::min(event.upstreamMs, total - std::max(0.0, blocked)));
        connect = event.connectMs >= 0 ? toMicrosecondMs(std::min(event.connectMs, upstream)) : -1;
        wait = toMicrosecondMs(upstream - std::max(0.0, connect));
    }
    const double receive = toMicrosecondMs(total - std::max(0.0, blocked) - std::max(0.0, connect) - wait);
    return QJsonObject {
        { QStringLiteral("blocked"), blocked }, { QStringLiteral("dns"), -1 },     { QStringLiteral("connect"), connect },
        { QStringLiteral("send"), 0 },          { QStringLiteral("wait"), wait },  { QStringLiteral("receive"), std::max(0.0, receive) },
        { QStringLiteral("ssl"), -1 },
    };
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
    if (const auto posted = postData(event, firstHeader(sent.value_or(HeaderList {}), QStringLiteral("content-type")))) {
        request.insert(QStringLiteral("postData"), *posted);
    }
    QJsonObject response {
        { QStringLiteral("status"), event.status },
        { QStringLiteral("statusText"), engine::tools::reasonPhrase(event.status) },
        { QStringLiteral("httpVersion"), QStringLiteral("HTTP/1.1") },
        { QStringLiteral("cookies"), QJsonArray() },
        { QStringLiteral("headers"), harHeaders(responseList) },
        { QStringLiteral("content"), content(event, firstHeader(responseList, QStringLiteral("content-type"))) },
        { QStringLiteral("redirectURL"), firstHeader(responseList, QStringLiteral("location")) },
        { QStringLiteral("headersSize"), -1 },
        { QStringLiteral("bodySize"), event.bytesOut },
    };
    if (!answered) {
        response.insert(QStringLiteral("comment"), headersUnavailableReason(event, HeaderSide::Response));
    }
    const double total = toMicrosecondMs(std::max(0.0, event.totalMs));
    QJsonObject out {
        { QStringLiteral("startedDateTime"), QDateTime::fromMSecsSinceEpoch(event.timeMs, Qt::UTC).toString(Qt::ISODateWithMs) },
        { QStringLiteral("time"), total },
        { QStringLiteral("request"), request },
        { QStringLiteral("response"), response },
        { QStringLiteral("cache"), QJsonObject() },
        { QStringLiteral("timings"), timings(event) },
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
