#pragma once

#include <QtGlobal>

namespace gatehouse::engine {

// What the app asked to keep of bodies: those up to `limit` bytes whole; of a larger body, its
// first `limit` bytes only when `keepStartOfLarger`, else nothing (large bodies are off by default).
struct BodyCapturePolicy
{
    qsizetype limit = 0; // 0: no bodies are kept
    bool keepStartOfLarger = false;
};

} // namespace gatehouse::engine
