#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include <QByteArray>
#include <QList>

#include "engine/http/HttpMessage.h"

namespace gatehouse::engine {

// Where a worker keeps the headers of its recent requests for the request history: one fixed
// ring of bytes, written under the worker's own lock without allocating, so keeping headers
// costs a copy per request and nothing later. The history's entries point into it; headers old
// enough to have been written over are gone (the entry keeps its other fields).
class HeaderArchive final
{
public:
    static constexpr qsizetype kCapacity = 4 * 1024 * 1024;

    struct Ref
    {
        qint64 start = -1; // position in the stream of bytes ever written; -1: none
        qint32 length = 0;
    };

    HeaderArchive();
    // Stores the headers as "name: value\r\n" lines. A head larger than a sixteenth of the ring is
    // not kept (it would push out many others).
    Ref store(const QList<http::Header> &headers);
    // The stored lines, or nothing when they have been written over since.
    std::optional<QByteArray> load(const Ref &ref) const;

private:
    mutable std::mutex m_mutex;
    QByteArray m_ring;
    qint64 m_written = 0;
};

} // namespace gatehouse::engine
