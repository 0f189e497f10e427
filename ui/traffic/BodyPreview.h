#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "engine/core/BodyCapture.h"
#include "engine/core/TrafficEvent.h"

namespace gatehouse::ui {

enum class BodySide { Request, Response };

// The bytes the engine kept of one side's body (whole, or its start when truncated), or nothing
// when none were kept.
std::optional<QByteArray> capturedBody(const engine::TrafficEvent &event, BodySide side);
// The kept bytes are the whole body.
bool capturedWhole(const engine::TrafficEvent &event, BodySide side);

// What the Body tab shows for one side: a one-line summary (size, type, or why there is nothing
// to see) and the body as text: pretty JSON, UTF-8 text, or a hex dump of binary bytes.
struct BodyPreview
{
    QString summary;
    QString text; // empty when there is nothing to show
    bool hexDump = false;
};
// `policy` is what the app captures now, to say why a body was not kept.
BodyPreview previewBody(const engine::TrafficEvent &event, BodySide side, engine::BodyCapturePolicy policy);

// "12 KiB", "1.5 MiB", "512 bytes".
QString byteSize(qint64 bytes);

} // namespace gatehouse::ui
