#pragma once

#include "engine/tls/TrustReport.h"

namespace gatehouse::engine::tls {

struct TrustedCa;

// Debian's system store, as its ca-certificates package documents it: a .crt file in
// /usr/local/share/ca-certificates, then update-ca-certificates, which rebuilds
// /etc/ssl/certs/ca-certificates.crt (what OpenSSL, curl, Go and Python's ssl read). That needs root:
// without it the store is skipped with the exact sudo commands to run.
//
// For tests and packagers, GATEHOUSE_CA_TRUST_SYSROOT=DIR moves every folder involved under DIR
// (DIR/usr/local/share/ca-certificates, DIR/etc/ssl/certs, ...), passed to update-ca-certificates
// through its --certsconf, --certsdir, --localcertsdir, --etccertsdir and --hooksdir options.
StoreOutcome changeSystemTrust(const TrustedCa &ca, TrustChange change);

} // namespace gatehouse::engine::tls
