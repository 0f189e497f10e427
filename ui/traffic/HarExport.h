#pragma once

#include <QJsonDocument>
#include <QList>
#include <QString>

#include "engine/traffic/TrafficEvent.h"

namespace gatehouse::ui {

// The requests as an HTTP Archive (HAR 1.2, http://www.softwareishard.com/blog/har-12-spec/)
// that browsers' dev tools and HAR viewers open. URLs are made against `baseUrl` (the listener,
// "http://127.0.0.1:8080"). Secret headers are redacted like everywhere in the app; captured
// bodies go in postData and content (base64 when not UTF-8), others only by their sizes.
// Timings split the gateway's queue, the upstream connect and wait. Gatehouse's own facts ride in "_route",
// "_requestId", "_auth" (and "_target", "_error" when known): HAR allows fields starting with "_".
QJsonDocument harFor(const QList<engine::TrafficEvent> &events, const QString &baseUrl);

} // namespace gatehouse::ui
