#pragma once

#include <mutex>
#include <span>

#include "engine/profile/Profile.h"
#include "engine/upstream/TargetState.h"

namespace gatehouse::engine {

// Passive health: `consecutive_failures` failed attempts in a row (5xx answers, refused or
// broken connections, timeouts) eject a target for `eject_for` times the number of recent
// ejections (at most 10x), like Envoy's outlier detection. The ejection count decays by one
// per clean `eject_for`. The last available target of an upstream is never ejected: a
// degraded answer beats a certain 503.
class OutlierDetector final
{
public:
    static constexpr int kMaxMultiplier = 10;

    // Returns true when this outcome ejected the target. `decisions` serialises ejections of
    // one upstream so two workers cannot eject its last two targets at once.
    static bool record(std::span<TargetState *const> targets, int index, bool failure,
                       const profile::Outlier &config, qint64 nowMs, std::mutex &decisions);
};

} // namespace gatehouse::engine
