#pragma once

#include <QString>

#include "engine/pipeline/RouteExplainer.h"
#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::ui {

// The traffic view's Overview tab for one request, as HTML for a QTextBrowser: who asked what,
// which route and target answered, the status, the timing split between upstream and gateway,
// the JWT outcome, rate limiting and canary; a WebSocket session's duration and bytes each way.
// With `why` (the route tester's answer for this request), also why each other route did not take it.
QString overviewHtml(const engine::TrafficEvent &event, const engine::RouteExplanation *why = nullptr);

} // namespace gatehouse::ui
