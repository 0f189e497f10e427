#include "Base64Url.h"

namespace gatehouse::engine {

namespace {

bool isBase64UrlChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

} // namespace

std::optional<QByteArray> base64UrlDecode(QByteArrayView text)
{
    if (text.size() % 4 == 1) {
        return std::nullopt; // no whole byte fits in one leftover character
    }
    for (char c : text) {
        if (!isBase64UrlChar(c)) {
            return std::nullopt;
        }
    }
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        return std::nullopt;
    }
    return std::move(decoded.decoded);
}

QByteArray base64UrlEncode(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace gatehouse::engine
