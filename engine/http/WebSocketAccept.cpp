#include "WebSocketAccept.h"

#include <QCryptographicHash>

namespace gatehouse::engine::http {

QByteArray webSocketAccept(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    return sha1.result().toBase64();
}

bool acceptsWebSocket(const MessageHead &request, const MessageHead &response)
{
    const QByteArray key = request.header("sec-websocket-key");
    return !key.isEmpty() && response.header("upgrade").compare("websocket", Qt::CaseInsensitive) == 0
        && response.header("sec-websocket-accept") == webSocketAccept(key);
}

} // namespace gatehouse::engine::http
