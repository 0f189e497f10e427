#include "TlsErrors.h"

#include <openssl/err.h>

namespace gatehouse::engine::tls {

QString takeOpenSslError()
{
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) {
        return QStringLiteral("unknown TLS error");
    }
    const char *reason = ERR_reason_error_string(code);
    return reason ? QString::fromLatin1(reason) : QStringLiteral("TLS error %1").arg(code);
}

} // namespace gatehouse::engine::tls
