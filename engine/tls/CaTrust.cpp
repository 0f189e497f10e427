#include "CaTrust.h"

#include "engine/tls/LocalCa.h"
#include "engine/tls/NssTrustStores.h"
#include "engine/tls/SystemTrustStore.h"
#include "engine/tls/TrustedCa.h"

namespace gatehouse::engine::tls {

TrustReport changeCaTrust(const QString &caFolder, TrustChange change)
{
    TrustReport report;
    const auto ca = LocalCa::openOrCreate(caFolder, &report.error);
    if (!ca) {
        return report;
    }
    const TrustedCa trusted = TrustedCa::of(*ca);
    report.stores.append(changeSystemTrust(trusted, change));
    report.stores.append(changeNssTrust(trusted, change));
    return report;
}

} // namespace gatehouse::engine::tls
