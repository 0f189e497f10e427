#include "OutlierDetector.h"

#include <algorithm>

namespace gatehouse::engine {

bool OutlierDetector::record(std::span<TargetState *const> targets, int index, bool failure,
                             const profile::Outlier &config, qint64 nowMs, std::mutex &decisions)
{
    TargetState &target = *targets[size_t(index)];
    if (!failure) {
        // Read first: a store on every success would bounce the line between cores.
        if (target.consecutiveFailures.load(std::memory_order_relaxed) != 0) {
            target.consecutiveFailures.store(0, std::memory_order_relaxed);
        }
        return false;
    }
    if (target.isEjected(nowMs)) {
        return false; // requests that started before the ejection: a target back gets a fresh count
    }
    const int failures = target.consecutiveFailures.fetch_add(1, std::memory_order_relaxed) + 1;
    if (failures < config.consecutiveFailures) {
        return false;
    }
    const std::lock_guard lock(decisions);
    if (target.isEjected(nowMs)) {
        return false;
    }
    const bool anotherAvailable = std::any_of(targets.begin(), targets.end(), [&](const TargetState *other) {
        return other != &target && other->isAvailable(nowMs);
    });
    if (!anotherAvailable) {
        return false;
    }
    const qint64 ejectMs = config.ejectFor.count();
    const qint64 cleanPeriods = (nowMs - target.lastEjectionEndMs.load(std::memory_order_relaxed)) / std::max<qint64>(ejectMs, 1);
    const int recent = int(std::max<qint64>(target.ejections.load(std::memory_order_relaxed) - cleanPeriods, 0));
    const int multiplier = std::min(recent + 1, kMaxMultiplier);
    const qint64 until = nowMs + ejectMs * multiplier;
    target.ejections.store(recent + 1, std::memory_order_relaxed);
    target.lastEjectionEndMs.store(until, std::memory_order_relaxed);
    target.ejectedUntilMs.store(until, std::memory_order_relaxed);
    target.consecutiveFailures.store(0, std::memory_order_relaxed);
    return true;
}

} // namespace gatehouse::engine
