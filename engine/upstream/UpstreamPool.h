#pragma once

#include <memory>
#include <vector>

#include <QByteArray>
#include <map>

#include "engine/net/Socket.h"

namespace gatehouse::engine {

// Idle keep-alive connections to upstream targets, owned by one worker. Keyed by the target's
// address so connections survive a profile reload that keeps the target.
class UpstreamPool final : public net::SocketHandler
{
public:
    UpstreamPool() = default;
    ~UpstreamPool() override;
    UpstreamPool(const UpstreamPool &) = delete;
    UpstreamPool &operator=(const UpstreamPool &) = delete;

    // An idle connection that is still open and has nothing queued from the upstream, or nullptr.
    // The kernel is asked every time: bytes an upstream sent after its answer (a bug or a desync
    // attempt) may arrive after the event loop last looked, and would be read as the answer to
    // the next request; and a request with a body cannot be replayed once it went out on a dead
    // connection.
    std::unique_ptr<net::Socket> take(const QByteArray &key);
    // Parks a connection that just finished a response cleanly; closes it when `limit` are
    // already idle for that key.
    void put(const QByteArray &key, std::unique_ptr<net::Socket> socket, int limit);
    void clear();

    // EOF or stray bytes on an idle connection (TLS session tickets are absorbed)
    void onReadable(net::Socket &socket) override;
    void onDrained(net::Socket &) override { }
    void onFailed(net::Socket &socket, int error) override;

private:
    void drop(net::Socket &socket);

    std::map<QByteArray, std::vector<std::unique_ptr<net::Socket>>> m_idle;
};

} // namespace gatehouse::engine
