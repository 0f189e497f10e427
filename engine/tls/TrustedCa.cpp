#include "TrustedCa.h"

#include "engine/tls/LocalCa.h"

namespace gatehouse::engine::tls {

namespace {

constexpr int kIdHexDigits = 16; // 64 bits of the SHA-256: unique among one user's CAs

} // namespace

TrustedCa TrustedCa::of(const LocalCa &ca)
{
    const QString id = QString::fromLatin1(ca.fingerprint()).remove(QLatin1Char(':')).left(kIdHexDigits);
    return { ca.certificatePem(), ca.certificatePath(), QStringLiteral("Gatehouse development CA %1").arg(id),
             QStringLiteral("gatehouse-ca-%1.crt").arg(id.toLower()) };
}

} // namespace gatehouse::engine::tls
