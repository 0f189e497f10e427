#pragma once

#include <QList>

#include "engine/tls/TrustReport.h"

namespace gatehouse::engine::tls {

struct TrustedCa;

// The NSS databases Chromium, Chrome and Firefox read on Linux, found under $HOME where mkcert
// looks for them (plus Firefox's snap and Flatpak homes), changed with NSS's own certutil. Only
// databases that exist are touched: a browser makes its own when it first starts, and one made
// for it here could be in a format it does not read.
QList<StoreOutcome> changeNssTrust(const TrustedCa &ca, TrustChange change);

} // namespace gatehouse::engine::tls
