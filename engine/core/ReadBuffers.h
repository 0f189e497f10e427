#pragma once

#include <vector>

#include <QByteArray>

namespace gatehouse::engine {

// A worker's read buffers, lent to a connection while it has bytes to parse and taken back when
// it has none: an idle keep-alive connection holds no buffer (nginx frees an idle connection's
// buffers the same way), and a busy one reuses a warm one instead of allocating its own.
class ReadBuffers final
{
public:
    // An empty `buffer` without capacity gets a pooled one's.
    void lend(QByteArray &buffer);
    // An empty `buffer` gives its capacity back.
    void giveBack(QByteArray &buffer);

private:
    std::vector<QByteArray> m_free;
};

} // namespace gatehouse::engine
