#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace gatehouse::engine {

// Authorization, Proxy-Authorization, Cookie and Set-Cookie: never shown, logged or exported as sent.
bool isSecretHeader(QByteArrayView name);

// The header and query parameter names a running profile reads tokens from (`token_from` of
// every JWT profile), compiled with its snapshot. Their values are redacted wherever
// Authorization is (SPEC §7.1): a token in `X-Api-Token` or `?access_token=` is as much a
// credential as a bearer token. The fixed credential headers stay in engine::isSecretHeader;
// this adds to them and copies nothing.
class SecretNames final
{
public:
    SecretNames() = default;
    SecretNames(QList<QByteArray> headers, QList<QByteArray> queryParameters);

    // engine::isSecretHeader, or a `header:` source (any case).
    bool isSecretHeader(QByteArrayView name) const;
    // A `query:` source, as written or percent-encoded.
    bool isSecretQueryParameter(QByteArrayView name) const;
    // "/p?a=1&access_token=XYZ" → "/p?a=1&access_token=[redacted]"; unchanged without such a parameter.
    QByteArray redactedPath(const QByteArray &pathAndQuery) const;

private:
    QList<QByteArray> m_headers; // lower case
    QList<QByteArray> m_queryParameters; // as in the profile (query names are case-sensitive)
};

} // namespace gatehouse::engine
