#pragma once

#include <QString>

#include "engine/tls/TrustReport.h"

namespace gatehouse::engine::tls {

// `gatehouse ca --trust` / `--untrust` (SPEC §7.9): the local CA in `caFolder` (made when missing,
// as `gatehouse ca` makes it) added to or removed from the system store and the NSS stores of
// Firefox and Chromium, one outcome per store. Runs tools and waits for them: keep it off a GUI
// thread (EngineTools does).
TrustReport changeCaTrust(const QString &caFolder, TrustChange change);

} // namespace gatehouse::engine::tls
