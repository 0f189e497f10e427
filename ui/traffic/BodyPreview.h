#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "engine/core/BodyCapture.h"
#include "engine/traffic/TrafficEvent.h"

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

// The body as text when it is UTF-8 without control characters other than tab and line breaks
// (what the preview shows as text, the HAR export as text, copy as curl on the command line).
std::optional<QString> bodyText(const QByteArray &bytes);

// "12 KiB", "1.5 MiB", "512 bytes".
QString byteSize(qint64 bytes);

} // namespace gatehouse::ui
