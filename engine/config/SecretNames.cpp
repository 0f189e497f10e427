#include "SecretNames.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace gatehouse::engine {

bool isSecretHeader(QByteArrayView name)
{
    static const QByteArrayView secret[] = { "authorization", "proxy-authorization", "cookie", "set-cookie" };
    return std::any_of(std::begin(secret), std::end(secret),
                       [name](QByteArrayView candidate) { return name.compare(candidate, Qt::CaseInsensitive) == 0; });
}

SecretNames::SecretNames(QList<QByteArray> headers, QList<QByteArray> queryParameters)
    : m_headers(std::move(headers))
    , m_queryParameters(std::move(queryParameters))
{
}

bool SecretNames::isSecretHeader(QByteArrayView name) const
{
    return engine::isSecretHeader(name) || std::any_of(m_headers.cbegin(), m_headers.cend(), [name](const QByteArray &header) {
               return name.compare(header, Qt::CaseInsensitive) == 0;
           });
}

bool SecretNames::isSecretQueryParameter(QByteArrayView name) const
{
    // Decoded too: `access%5Ftoken` is not what JwtAuthStage reads, but an upstream may.
    const QByteArray decoded = name.contains('%') ? QByteArray::fromPercentEncoding(name.toByteArray()) : QByteArray();
    return std::any_of(m_queryParameters.cbegin(), m_queryParameters.cend(), [name, &decoded](const QByteArray &parameter) {
        return name == parameter || decoded == parameter;
    });
}

QByteArray SecretNames::redactedPath(const QByteArray &pathAndQuery) const
{
    const qsizetype question = pathAndQuery.indexOf('?');
    if (question < 0 || m_queryParameters.isEmpty()) {
        return pathAndQuery;
    }
    QByteArray out = pathAndQuery.first(question + 1);
    const QList<QByteArray> pairs = pathAndQuery.sliced(question + 1).split('&');
    for (qsizetype i = 0; i < pairs.size(); ++i) {
        const QByteArray &pair = pairs.at(i);
        const qsizetype equals = pair.indexOf('=');
        if (i > 0) {
            out += '&';
        }
        if (equals >= 0 && isSecretQueryParameter(QByteArrayView(pair).first(equals))) {
            out += QByteArrayView(pair).first(equals + 1);
            out += "[redacted]";
        } else {
            out += pair;
        }
    }
    return out;
}

} // namespace gatehouse::engine
