#include "UpstreamPool.h"

namespace gatehouse::engine {

UpstreamPool::~UpstreamPool()
{
    clear();
}

std::unique_ptr<net::Socket> UpstreamPool::take(const QByteArray &key)
{
    auto it = m_idle.find(key);
    if (it == m_idle.end()) {
        return nullptr;
    }
    std::vector<std::unique_ptr<net::Socket>> &sockets = it->second;
    // Most recently used first: it is the least likely to have been closed by the upstream.
    while (!sockets.empty()) {
        std::unique_ptr<net::Socket> socket = std::move(sockets.back());
        sockets.pop_back();
        if (socket->isIdleAlive() && socket->peerStillOpen()) {
            socket->setHandler(nullptr);
            return socket;
        }
    }
    return nullptr;
}

void UpstreamPool::put(const QByteArray &key, std::unique_ptr<net::Socket> socket, int limit)
{
    std::vector<std::unique_ptr<net::Socket>> &sockets = m_idle[key];
    if (int(sockets.size()) >= limit || !socket->isOpen()) {
        return; // the unique_ptr closes it
    }
    socket->setHandler(this);
    socket->setReadEnabled(true);
    sockets.push_back(std::move(socket));
}

void UpstreamPool::clear()
{
    m_idle.clear();
}

void UpstreamPool::onReadable(net::Socket &socket)
{
    if (!socket.absorbIdleTlsRecords()) {
        drop(socket);
    }
}

void UpstreamPool::onFailed(net::Socket &socket, int)
{
    drop(socket);
}

void UpstreamPool::drop(net::Socket &socket)
{
    for (auto &[key, sockets] : m_idle) {
        for (auto it = sockets.begin(); it != sockets.end(); ++it) {
            if (it->get() == &socket) {
                // We may be inside this socket's callback: its deleter frees it once that returns.
                sockets.erase(it);
                return;
            }
        }
    }
}

} // namespace gatehouse::engine
