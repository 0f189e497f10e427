#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include "engine/http/HttpMessage.h"

namespace gatehouse::engine::http {

// RFC 6455 §4.2.2: the Sec-WebSocket-Accept a server must answer the client's Sec-WebSocket-Key with.
QByteArray webSocketAccept(QByteArrayView key);

// Whether `response` (a 101) really accepts the WebSocket handshake `request` asked for: anything
// else switching protocols would open a raw tunnel past the gateway (WebSocket smuggling).
bool acceptsWebSocket(const MessageHead &request, const MessageHead &response);

} // namespace gatehouse::engine::http
