#include "ReadBuffers.h"

namespace gatehouse::engine {

namespace {

// Enough for every connection a worker serves in one wake-up; beyond that they are freed.
constexpr std::size_t kMaxFree = 64;

} // namespace

void ReadBuffers::lend(QByteArray &buffer)
{
    if (!buffer.isEmpty() || buffer.capacity() > 0 || m_free.empty()) {
        return;
    }
    buffer.swap(m_free.back());
    m_free.pop_back();
}

void ReadBuffers::giveBack(QByteArray &buffer)
{
    if (!buffer.isEmpty() || buffer.capacity() == 0) {
        return;
    }
    if (m_free.size() < kMaxFree && buffer.isDetached()) {
        m_free.push_back(std::move(buffer));
    }
    buffer = QByteArray();
}

} // namespace gatehouse::engine
