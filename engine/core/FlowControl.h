#pragma once

#include <QtGlobal>

namespace gatehouse::engine {

// Above this much unsent output on one side of a connection, the other side is not read from
// (back-pressure): a slow reader holds back its own sender, never the worker's memory.
constexpr qsizetype kHighWater = 256 * 1024;

} // namespace gatehouse::engine
