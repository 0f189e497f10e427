#pragma once

#include <span>

#include <QList>

#include "engine/upstream/Balancer.h"
#include "engine/upstream/TargetState.h"

namespace gatehouse::engine {

// One target for a request, or -1: the balancer chooses among the available targets (healthy,
// not ejected) that `tried` does not hold yet, or among all available ones once every one was
// tried. The choice is added to `tried`. The first pick and every retry come here.
int chooseTarget(Balancer &balancer, std::span<TargetState *const> targets, QList<int> &tried, quint64 key, qint64 nowMs);

} // namespace gatehouse::engine
