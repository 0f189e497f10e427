#include "BodyPreview.h"

#include <QJsonDocument>
#include <QLocale>
#include <QStringDecoder>

#include "ui/traffic/EventHeaders.h"

namespace gatehouse::ui {

namespace {

constexpr qsizetype kHexDumpBytes = 4096; // a hex dump beyond this helps nobody read

const engine::CaptureArchive::Ref &refOf(const engine::TrafficEvent &event, BodySide side)
{
    return side == BodySide::Request ? event.requestBody : event.responseBody;
}

qint64 sizeOf(const engine::TrafficEvent &event, BodySide side)
{
    return side == BodySide::Request ? event.bytesIn : event.bytesOut;
}

QString headerValue(const std::optional<HeaderList> &headers, QStringView name)
{
    if (headers) {
        for (const auto &[key, value] : *headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0) {
                return value;
            }
        }
    }
    return {};
}

QString hexDump(const QByteArray &bytes)
{
    QString out;
    const qsizetype shown = std::min(bytes.size(), kHexDumpBytes);
    for (qsizetype line = 0; line < shown; line += 16) {
        QString hex;
        QString ascii;
        for (qsizetype i = line; i < line + 16; ++i) {
            if (i < shown) {
                const auto byte = static_cast<unsigned char>(bytes.at(i));
                hex += QStringLiteral("%1 ").arg(byte, 2, 16, QLatin1Char('0'));
                ascii += (byte >= 0x20 && byte < 0x7f) ? QChar(char16_t(byte)) : QChar(u'.');
            } else {
                hex += QStringLiteral("   ");
            }
        }
        out += QStringLiteral("%1  %2 %3\n").arg(line, 8, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    if (shown < bytes.size()) {
        out += QStringLiteral("… %1 more bytes\n").arg(bytes.size() - shown);
    }
    return out;
}

QString notKeptReason(const engine::TrafficEvent &event, BodySide side, engine::BodyCapturePolicy policy)
{
    const engine::CaptureArchive::Ref &ref = refOf(event, side);
    if (ref.start >= 0) {
        return QStringLiteral("written over by newer requests (each worker keeps the latest %1 of headers and bodies)")
            .arg(byteSize(engine::CaptureArchive::kCapacity));
    }
    if (policy.limit <= 0) {
        return QStringLiteral("body capture is off (Bodies menu above the table)");
    }
    if (sizeOf(event, side) > policy.limit) {
        return QStringLiteral("larger than the %1 capture limit; the Bodies menu above the table can keep the start of larger bodies")
            .arg(byteSize(policy.limit));
    }
    return QStringLiteral("body capture was off when this request ran");
}

} // namespace

std::optional<QByteArray> capturedBody(const engine::TrafficEvent &event, BodySide side)
{
    const engine::CaptureArchive::Ref &ref = refOf(event, side);
    if (!event.capture || ref.start < 0) {
        return std::nullopt;
    }
    return event.capture->load(ref);
}

bool capturedWhole(const engine::TrafficEvent &event, BodySide side)
{
    return !(side == BodySide::Request ? event.requestBodyTruncated : event.responseBodyTruncated);
}

std::optional<QString> bodyText(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError()) {
        return std::nullopt;
    }
    for (const QChar c : std::as_const(text)) {
        if (c.category() == QChar::Other_Control && c != u'\n' && c != u'\r' && c != u'\t') {
            return std::nullopt; // control bytes: binary that happens to be valid UTF-8
        }
    }
    return text;
}

QString byteSize(qint64 bytes)
{
    return bytes < 1024 ? QStringLiteral("%1 bytes").arg(bytes) : QLocale().formattedDataSize(bytes, bytes % 1024 == 0 ? 0 : 1);
}

BodyPreview previewBody(const engine::TrafficEvent &event, BodySide side, engine::BodyCapturePolicy policy)
{
    const qint64 size = sizeOf(event, side);
    if (event.status == 101) {
        return { QStringLiteral("A WebSocket session: its frames are not captured."), {}, false };
    }
    if (size == 0) {
        return { side == BodySide::Request ? QStringLiteral("No request body.") : QStringLiteral("No response body."), {}, false };
    }
    const std::optional<QByteArray> body = capturedBody(event, side);
    if (!body) {
        return { QStringLiteral("%1, not captured: %2.").arg(byteSize(size), notKeptReason(event, side, policy)), {}, false };
    }
    const std::optional<HeaderList> headers = side == BodySide::Request ? requestHeaders(event) : responseHeaders(event);
    const QString type = headerValue(headers, u"content-type");
    const QString encoding = headerValue(headers, u"content-encoding");
    QString summary = byteSize(size);
    if (!type.isEmpty()) {
        summary += QStringLiteral(", ") + type;
    }
    if (!capturedWhole(event, side)) {
        summary += QStringLiteral(" (showing the first %1)").arg(byteSize(body->size()));
    }

    BodyPreview preview { summary, {}, false };
    if (!encoding.isEmpty() && encoding.compare(u"identity", Qt::CaseInsensitive) != 0) {
        preview.summary += QStringLiteral(", %1-encoded as the upstream sent it").arg(encoding);
    } else if (type.contains(u"json", Qt::CaseInsensitive) || body->startsWith('{') || body->startsWith('[')) {
        QJsonParseError error {};
        const QJsonDocument json = QJsonDocument::fromJson(*body, &error);
        if (error.error == QJsonParseError::NoError) {
            preview.text = QString::fromUtf8(json.toJson(QJsonDocument::Indented));
            return preview;
        }
    }
    if (encoding.isEmpty() || encoding.compare(u"identity", Qt::CaseInsensitive) == 0) {
        if (const std::optional<QString> text = bodyText(*body)) {
            preview.text = *text;
            return preview;
        }
    }
    preview.text = hexDump(*body);
    preview.hexDump = true;
    return preview;
}

} // namespace gatehouse::ui
