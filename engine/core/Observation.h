#pragma once

#include <atomic>

#include "engine/traffic/BodyCapturePolicy.h"

namespace gatehouse::engine {

// What the gateway's users asked the workers to keep of each request, beyond what every profile
// gets: set from the app's thread, read by the workers per request, so each is an atomic of its own.
struct Observation
{
    // Somebody takes the gateway's trafficBatch (the app, an access log): without anybody, and
    // without an admin API, no request builds a TrafficEvent at all.
    std::atomic<bool> events { false };
    std::atomic<bool> headers { false };
    std::atomic<qsizetype> bodyLimit { 0 }; // BodyCapturePolicy::limit
    std::atomic<bool> keepStartOfLargerBodies { false };

    BodyCapturePolicy bodyPolicy() const
    {
        return { bodyLimit.load(std::memory_order_relaxed), keepStartOfLargerBodies.load(std::memory_order_relaxed) };
    }
};

} // namespace gatehouse::engine
