#include "EventHeaders.h"

#include <algorithm>

namespace gatehouse::ui {

namespace {

std::optional<QByteArray> load(const engine::TrafficEvent &event, const engine::CaptureArchive::Ref &ref)
{
    if (!event.capture) {
        return std::nullopt;
    }
    return event.capture->load(ref);
}

std::optional<HeaderList> redacted(const engine::TrafficEvent &event, std::optional<QByteArray> lines)
{
    if (!lines) {
        return std::nullopt;
    }
    HeaderList headers = parseHeaderLines(*lines);
    for (auto &[name, value] : headers) {
        if (isSecretHeader(event, name)) {
            value = redactedValue();
        }
    }
    return headers;
}

} // namespace

QString redactedValue()
{
    return QStringLiteral("[redacted]");
}

bool isSecretHeader(const engine::TrafficEvent &event, QStringView name)
{
    return engine::isSecretHeader(event, name.toLatin1()); // the engine's lists, as the admin API uses
}

HeaderList parseHeaderLines(const QByteArray &lines)
{
    HeaderList headers;
    for (const QByteArray &line : lines.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        headers.append({ QString::fromLatin1(line.left(colon)), QString::fromUtf8(line.mid(colon + 1).trimmed()) });
    }
    return headers;
}

std::optional<HeaderList> requestHeaders(const engine::TrafficEvent &event)
{
    return redacted(event, load(event, event.requestHeaders));
}

std::optional<HeaderList> responseHeaders(const engine::TrafficEvent &event)
{
    return redacted(event, load(event, event.responseHeaders));
}

std::optional<HeaderList> rawRequestHeaders(const engine::TrafficEvent &event)
{
    const std::optional<QByteArray> lines = load(event, event.requestHeaders);
    return lines ? std::optional<HeaderList>(parseHeaderLines(*lines)) : std::nullopt;
}

QString headersUnavailableReason(const engine::TrafficEvent &event, HeaderSide side)
{
    const engine::CaptureArchive::Ref &ref = side == HeaderSide::Request ? event.requestHeaders : event.responseHeaders;
    if (!event.capture) {
        return QStringLiteral("Headers were not recorded for this request.");
    }
    if (ref.start < 0) {
        return QStringLiteral("Headers were not kept (an empty or very large head).");
    }
    return QStringLiteral("Headers were written over by newer requests (each worker keeps the latest %1 MiB of headers and bodies).")
        .arg(engine::CaptureArchive::kCapacity / (1024 * 1024));
}

} // namespace gatehouse::ui
