#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace gatehouse::engine {

// Where a worker keeps the headers and captured bodies of its recent requests for the request
// history and the app: one fixed ring of bytes, written under the worker's own lock without
// allocating, so keeping them costs a copy per request and nothing later. The history's entries
// point into it; bytes old enough to have been written over are gone (the entry keeps its other
// fields). The ring's pages are only touched once something is kept.
class CaptureArchive final
{
public:
    static constexpr qsizetype kCapacity = 16 * 1024 * 1024;
    // A larger entry is not kept: it would push out many others.
    static constexpr qsizetype kLargestEntry = kCapacity / 16;

    struct Ref
    {
        qint64 start = -1; // position in the stream of bytes ever written; -1: none
        qint32 length = 0;
    };

    CaptureArchive();
    // Stores headers (anything with `name` and `value` byte arrays: http::Header) as
    // "name: value\r\n" lines. A template, so that this layer, which every TrafficEvent and so
    // the UI pulls in, does not depend on the wire's types.
    template <typename Headers>
    Ref storeHeaders(const Headers &headers);
    Ref store(QByteArrayView bytes);
    // The stored bytes, or nothing when they have been written over since.
    std::optional<QByteArray> load(const Ref &ref) const;

private:
    void put(const char *bytes, qsizetype size);

    mutable std::mutex m_mutex;
    QByteArray m_ring;
    qint64 m_written = 0;
};

template <typename Headers>
CaptureArchive::Ref CaptureArchive::storeHeaders(const Headers &headers)
{
    qsizetype length = 0;
    for (const auto &header : headers) {
        length += header.name.size() + header.value.size() + 4;
    }
    if (length == 0 || length > kLargestEntry) {
        return {};
    }
    const std::lock_guard lock(m_mutex);
    const Ref ref { m_written, qint32(length) };
    for (const auto &header : headers) {
        put(header.name.constData(), header.name.size());
        put(": ", 2);
        put(header.value.constData(), header.value.size());
        put("\r\n", 2);
    }
    return ref;
}

} // namespace gatehouse::engine
