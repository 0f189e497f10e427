#pragma once

#include <QByteArray>
#include <QString>

namespace gatehouse::engine::tls {

class LocalCa;

// The local CA as the trust stores know it. The names carry the start of its fingerprint, as
// mkcert's carry the serial: untrust removes exactly this CA, and a CA made afresh after the
// folder was deleted is a different entry, not a silent replacement.
struct TrustedCa
{
    QByteArray pem;
    QString certPath;
    QString nickname; // NSS: "Gatehouse development CA 3F2A9C1B7D4E5F60"
    QString fileName; // the system store: "gatehouse-ca-3f2a9c1b7d4e5f60.crt"

    static TrustedCa of(const LocalCa &ca);
};

} // namespace gatehouse::engine::tls
