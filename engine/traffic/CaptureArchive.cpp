#include "CaptureArchive.h"

#include <cstring>

namespace gatehouse::engine {

CaptureArchive::CaptureArchive()
    : m_ring(kCapacity, Qt::Uninitialized)
{
}

void CaptureArchive::put(const char *bytes, qsizetype size)
{
    char *ring = m_ring.data(); // never shared: writing does not detach
    while (size > 0) {
        const qsizetype at = qsizetype(m_written % kCapacity);
        const qsizetype chunk = std::min(size, kCapacity - at);
        std::memcpy(ring + at, bytes, size_t(chunk));
        m_written += chunk;
        bytes += chunk;
        size -= chunk;
    }
}

CaptureArchive::Ref CaptureArchive::store(QByteArrayView bytes)
{
    if (bytes.size() > kLargestEntry) {
        return {};
    }
    const std::lock_guard lock(m_mutex);
    const Ref ref { m_written, qint32(bytes.size()) };
    put(bytes.data(), bytes.size());
    return ref;
}

std::optional<QByteArray> CaptureArchive::load(const Ref &ref) const
{
    if (ref.start < 0) {
        return std::nullopt;
    }
    const std::lock_guard lock(m_mutex);
    if (m_written - ref.start > kCapacity) {
        return std::nullopt; // written over since
    }
    QByteArray out(ref.length, Qt::Uninitialized);
    for (qsizetype done = 0; done < ref.length;) {
        const qsizetype at = qsizetype((ref.start + done) % kCapacity);
        const qsizetype chunk = std::min<qsizetype>(ref.length - done, kCapacity - at);
        std::memcpy(out.data() + done, m_ring.constData() + at, size_t(chunk));
        done += chunk;
    }
    return out;
}

} // namespace gatehouse::engine
