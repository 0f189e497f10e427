#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>

namespace gatehouse::engine {

// JOSE's base64url (RFC 7515 §2): the URL-safe alphabet with no padding. Decoding refuses
// anything else, so a token cannot smuggle bytes past the signature check in another encoding.
std::optional<QByteArray> base64UrlDecode(QByteArrayView text);
QByteArray base64UrlEncode(QByteArrayView data);

} // namespace gatehouse::engine
