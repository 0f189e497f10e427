#include "Socket.h"

#include <cerrno>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>

namespace gatehouse::engine::net {

namespace {

void setNonBlockingNoDelay(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    // One write per response head is the rule, but Nagle would still stall the second write
    // of a streamed body by a delayed ACK (PERFORMANCE.md: ~44 ms).
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Output already written is compacted away once it is this large, not on every write.
constexpr qsizetype kCompactThreshold = 64 * 1024;

} // namespace

Socket::Socket(int fd, SocketHandler *handler, bool connecting)
    : m_fd(fd)
    , m_handler(handler)
    , m_connecting(connecting)
{
    m_readNotifier = new QSocketNotifier(fd, QSocketNotifier::Read);
    m_writeNotifier = new QSocketNotifier(fd, QSocketNotifier::Write);
    QObject::connect(m_readNotifier, &QSocketNotifier::activated, m_readNotifier,
                     [this] { onReadActivated(); });
    QObject::connect(m_writeNotifier, &QSocketNotifier::activated, m_writeNotifier,
                     [this] { onWriteActivated(); });
    m_readNotifier->setEnabled(!connecting);
    m_writeNotifier->setEnabled(connecting);
}

Socket::~Socket()
{
    close();
}

std::unique_ptr<Socket> Socket::adopt(qintptr fd, SocketHandler *handler)
{
    setNonBlockingNoDelay(int(fd));
    return std::unique_ptr<Socket>(new Socket(int(fd), handler, false));
}

std::unique_ptr<Socket> Socket::connectTo(const QHostAddress &address, quint16 port,
                                          SocketHandler *handler, int *error)
{
    sockaddr_storage storage {};
    socklen_t length = 0;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        const Q_IPV6ADDR ip6 = address.toIPv6Address();
        memcpy(&sin6->sin6_addr, &ip6, sizeof ip6);
        length = sizeof(sockaddr_in6);
    } else {
        auto *sin = reinterpret_cast<sockaddr_in *>(&storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = errno;
        return nullptr;
    }
    setNonBlockingNoDelay(fd);
    const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&storage), length);
    if (rc != 0 && errno != EINPROGRESS) {
        *error = errno;
        ::close(fd);
        return nullptr;
    }
    *error = 0;
    return std::unique_ptr<Socket>(new Socket(fd, handler, true));
}

Socket::ReadResult Socket::readInto(QByteArray &buffer, qsizetype maxBytes)
{
    if (m_fd < 0) {
        return ReadResult::Error;
    }
    const qsizetype oldSize = buffer.size();
    buffer.resize(oldSize + maxBytes);
    const ssize_t n = ::recv(m_fd, buffer.data() + oldSize, size_t(maxBytes), 0);
    if (n > 0) {
        buffer.resize(oldSize + n);
        return ReadResult::Data;
    }
    buffer.resize(oldSize);
    if (n == 0) {
        return ReadResult::Eof;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return ReadResult::WouldBlock;
    }
    return ReadResult::Error;
}

bool Socket::write(QByteArrayView data)
{
    if (m_fd < 0 || m_failed) {
        return false;
    }
    if (data.isEmpty()) {
        return true;
    }
    if (m_connecting || pendingOutput() > 0) {
        m_out.append(data.data(), data.size());
        return true;
    }
    const ssize_t n = ::send(m_fd, data.data(), size_t(data.size()), MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // Reported from the event loop (the write notifier fires at once on a broken socket),
        // never from inside the caller's write().
        m_pendingError = errno;
        m_failed = true;
        m_readNotifier->setEnabled(false);
        m_writeNotifier->setEnabled(true);
        return false;
    }
    const qsizetype written = n < 0 ? 0 : qsizetype(n);
    if (written < data.size()) {
        m_out.resize(0);
        m_outPos = 0;
        m_out.append(data.data() + written, data.size() - written);
        m_writeNotifier->setEnabled(true);
    }
    return true;
}

bool Socket::flush()
{
    while (pendingOutput() > 0) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outPos, size_t(pendingOutput()), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                break;
            }
            fail(errno);
            return false;
        }
        m_outPos += n;
    }
    if (pendingOutput() == 0) {
        m_out.resize(0);
        m_outPos = 0;
    } else if (m_outPos > kCompactThreshold) {
        m_out.remove(0, m_outPos);
        m_outPos = 0;
    }
    return true;
}

void Socket::onWriteActivated()
{
    if (m_fd < 0) {
        return;
    }
    if (m_pendingError != 0) {
        m_failed = false;
        fail(m_pendingError);
        return;
    }
    if (m_connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            fail(error);
            return;
        }
        m_connecting = false;
        m_readNotifier->setEnabled(m_readEnabled);
    }
    if (!flush()) {
        return;
    }
    if (pendingOutput() > 0) {
        return;
    }
    m_writeNotifier->setEnabled(false);
    if (m_shutdownWhenDrained) {
        ::shutdown(m_fd, SHUT_WR);
    }
    if (m_handler) {
        m_handler->onDrained(*this);
    }
}

void Socket::onReadActivated()
{
    if (m_fd >= 0 && m_handler) {
        m_handler->onReadable(*this);
    }
}

void Socket::setReadEnabled(bool enabled)
{
    m_readEnabled = enabled;
    if (m_fd >= 0 && !m_connecting && !m_failed) {
        m_readNotifier->setEnabled(enabled);
    }
}

void Socket::shutdownWriteWhenDrained()
{
    if (m_fd < 0) {
        return;
    }
    if (pendingOutput() == 0 && !m_connecting) {
        ::shutdown(m_fd, SHUT_WR);
    } else {
        m_shutdownWhenDrained = true;
    }
}

void Socket::fail(int error)
{
    if (m_fd < 0 || m_failed) {
        return;
    }
    m_failed = true;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    if (m_handler) {
        m_handler->onFailed(*this, error);
    }
}

bool Socket::isIdleAlive() const
{
    // No poll() here: idle pooled sockets keep their read notifier on, so an upstream's close
    // is seen by the event loop and the pool drops the socket; the rare close that races a
    // reuse is retried once on a fresh connection (ClientSession::onUpstreamFailed).
    return m_fd >= 0 && !m_failed && !m_connecting;
}

bool Socket::peerStillOpen() const
{
    char byte = 0;
    const ssize_t n = ::recv(m_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void Socket::close()
{
    if (m_fd < 0) {
        return;
    }
    // The notifiers may be inside their own activated() call: let the loop delete them.
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    m_readNotifier->deleteLater();
    m_writeNotifier->deleteLater();
    m_readNotifier = nullptr;
    m_writeNotifier = nullptr;
    ::close(m_fd);
    m_fd = -1;
}

QHostAddress Socket::peerAddress() const
{
    sockaddr_storage storage {};
    socklen_t length = sizeof storage;
    if (m_fd < 0 || ::getpeername(m_fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0) {
        return {};
    }
    QHostAddress address(reinterpret_cast<sockaddr *>(&storage));
    // Report v4-mapped clients as plain IPv4, as nginx's $remote_addr does.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

quint16 Socket::peerPort() const
{
    sockaddr_storage storage {};
    socklen_t length = sizeof storage;
    if (m_fd < 0 || ::getpeername(m_fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0) {
        return 0;
    }
    if (storage.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port);
    }
    return ntohs(reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
}

} // namespace gatehouse::engine::net
