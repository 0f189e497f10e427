#include "BodyCapture.h"

namespace gatehouse::engine {

void BodyCapture::begin(BodyCapturePolicy policy)
{
    m_policy = policy;
    m_bytes.resize(0); // keeps the allocation
    m_active = policy.limit > 0;
    m_truncated = false;
}

void BodyCapture::append(QByteArrayView chunk)
{
    if (!m_active || chunk.isEmpty()) {
        return;
    }
    const qsizetype room = m_policy.limit - m_bytes.size();
    if (chunk.size() <= room) {
        m_bytes.append(chunk);
        return;
    }
    if (m_policy.keepStartOfLarger) {
        m_bytes.append(chunk.first(room));
        m_truncated = true;
    } else {
        m_bytes.resize(0);
    }
    m_active = false; // the rest of this body is not looked at
}

QByteArrayView BodyCapture::kept() const
{
    return (m_active || m_truncated) ? QByteArrayView(m_bytes) : QByteArrayView();
}

void BodyCapture::reset()
{
    begin({});
}

} // namespace gatehouse::engine
