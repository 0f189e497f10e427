#include "LocalResponse.h"

#include <QJsonDocument>
#include <QJsonObject>

#include "engine/http/HeadWriter.h"

namespace gatehouse::engine {

http::ResponseHead localResponseHead(const LocalResponse &response, const QByteArray &requestId, QByteArray &body)
{
    http::ResponseHead head;
    head.status = response.status;
    head.headers.reserve(response.headers.size() + 4);
    for (const auto &[name, value] : response.headers) {
        head.add(name, value);
    }
    body = response.body;
    if (body.isEmpty() && !response.error.isEmpty()) {
        const QJsonObject error { { QStringLiteral("error"), QString::fromLatin1(response.error) },
                                  { QStringLiteral("message"), response.message },
                                  { QStringLiteral("request_id"), QString::fromLatin1(requestId) } };
        body = QJsonDocument(error).toJson(QJsonDocument::Compact);
        if (head.header("content-type").isNull()) {
            head.add("Content-Type", "application/json");
        }
    }
    return head;
}

bool isBodylessStatus(int status)
{
    return status < 200 || status == 204 || status == 304;
}

void addLocalFraming(http::ResponseHead &head, qsizetype bodySize, bool keepAlive)
{
    if (!isBodylessStatus(head.status)) {
        head.add("Content-Length", QByteArray::number(bodySize));
    }
    if (!keepAlive) {
        head.add("Connection", "close");
    }
}

QByteArray renderLocalResponse(const LocalResponse &response, const QByteArray &requestId, bool keepAlive, bool headRequest)
{
    QByteArray body;
    http::ResponseHead head = localResponseHead(response, requestId, body);
    head.add("X-Request-ID", requestId);
    addLocalFraming(head, body.size(), keepAlive);
    QByteArray out;
    out.reserve(256 + body.size());
    http::appendResponseHead(out, head);
    if (!headRequest && !isBodylessStatus(head.status)) {
        out.append(body);
    }
    return out;
}

} // namespace gatehouse::engine
