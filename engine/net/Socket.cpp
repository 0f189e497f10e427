#include "Socket.h"

#include <cerrno>
#include <climits>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace gatehouse::engine::net {

namespace {

void setNoDelay(int fd)
{
    // One write per response head is the rule, but Nagle would still stall the second write
    // of a streamed body by a delayed ACK (PERFORMANCE.md: ~44 ms).
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Output already written is compacted away once it is this large, not on every write.
constexpr qsizetype kCompactThreshold = 64 * 1024;
// The largest TLS record's plaintext: each SSL_read is given at least this much room.
constexpr qsizetype kTlsRecordMax = 16 * 1024;

// OpenSSL writes with write(), not send(MSG_NOSIGNAL): a peer that went away would raise SIGPIPE
// and end the process. Blocked on each thread that runs TLS sockets (the workers), the signal
// stays pending there, harmless, and the write fails with EPIPE instead.
void blockSigPipeOnThisThread()
{
    thread_local bool blocked = false;
    if (!blocked) {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        blocked = true;
    }
}

QString handshakeError(SSL *ssl)
{
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
        return QStringLiteral("certificate verify failed: %1").arg(QString::fromLatin1(X509_verify_cert_error_string(verify)));
    }
    const unsigned long code = ERR_peek_last_error();
    if (code == 0) {
        return QStringLiteral("the peer closed the connection during the TLS handshake");
    }
    const char *reason = ERR_reason_error_string(code);
    return QStringLiteral("TLS handshake failed: %1").arg(reason ? QString::fromLatin1(reason) : QStringLiteral("error %1").arg(code));
}

// Counts the notifier callbacks running on this thread, so close() knows whether a notifier
// it is about to delete may be the one calling.
class NotifierCall final
{
public:
    NotifierCall() { ++s_depth; }
    ~NotifierCall() { --s_depth; }
    NotifierCall(const NotifierCall &) = delete;
    NotifierCall &operator=(const NotifierCall &) = delete;
    static bool active() { return s_depth > 0; }

private:
    static thread_local int s_depth;
};

thread_local int NotifierCall::s_depth = 0;

} // namespace

Socket::Socket(int fd, SocketHandler *handler, bool connecting)
    : m_fd(fd)
    , m_handler(handler)
    , m_connecting(connecting)
{
    // Made disabled and then enabled as needed: the descriptor is registered once, for what this
    // socket waits for first, not added for both and then modified back (two epoll_ctl fewer).
    m_readNotifier = new QSocketNotifier(QSocketNotifier::Read);
    m_writeNotifier = new QSocketNotifier(QSocketNotifier::Write);
    m_readNotifier->setSocket(fd);
    m_writeNotifier->setSocket(fd);
    QObject::connect(m_readNotifier, &QSocketNotifier::activated, m_readNotifier,
                     [this] { dispatch(&Socket::onReadActivated); });
    QObject::connect(m_writeNotifier, &QSocketNotifier::activated, m_writeNotifier,
                     [this] { dispatch(&Socket::onWriteActivated); });
    m_readNotifier->setEnabled(!connecting);
    m_writeNotifier->setEnabled(connecting);
}

Socket::~Socket()
{
    close();
}

void Socket::destroy(Socket *socket)
{
    if (socket->m_callbackDepth == 0) {
        delete socket;
        return;
    }
    // Closed now, so the descriptor is free and no handler hears from it again; the memory stays
    // until dispatch() unwinds.
    socket->m_handler = nullptr;
    socket->close();
    socket->m_destroyPending = true;
}

void Socket::dispatch(void (Socket::*activated)())
{
    const NotifierCall call;
    ++m_callbackDepth;
    (this->*activated)();
    if (--m_callbackDepth == 0 && m_destroyPending) {
        delete this;
    }
}

std::unique_ptr<Socket> Socket::adopt(qintptr fd, SocketHandler *handler)
{
    Q_ASSERT(::fcntl(int(fd), F_GETFL, 0) & O_NONBLOCK);
    // Not inherited from the listening socket instead: connections that arrive between listen()
    // and a setsockopt() there would miss it.
    setNoDelay(int(fd));
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
    setNoDelay(fd);
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
    if (m_fd < 0 || m_handshaking) {
        return m_fd < 0 ? ReadResult::Error : ReadResult::WouldBlock;
    }
    const qsizetype oldSize = buffer.size();
    if (m_ssl) {
        maxBytes = qMax(maxBytes, kTlsRecordMax);
    }
    buffer.resize(oldSize + maxBytes);
    bool eof = false;
    qsizetype n = receiveSome(buffer.data() + oldSize, maxBytes, &eof);
    // Bytes OpenSSL already holds (read ahead, or a record larger than asked for) are taken now:
    // the kernel would never report them readable again.
    while (n > 0 && m_ssl && SSL_has_pending(m_ssl) == 1) {
        buffer.resize(oldSize + n + kTlsRecordMax);
        const qsizetype more = receiveSome(buffer.data() + oldSize + n, kTlsRecordMax, &eof);
        if (more <= 0) {
            break;
        }
        n += more;
    }
    if (n > 0) {
        buffer.resize(oldSize + n);
        return ReadResult::Data;
    }
    buffer.resize(oldSize);
    if (eof) {
        return ReadResult::Eof;
    }
    return n == 0 ? ReadResult::WouldBlock : ReadResult::Error;
}

qsizetype Socket::receiveSome(char *data, qsizetype maxBytes, bool *eof)
{
    if (!m_ssl) {
        const ssize_t n = ::recv(m_fd, data, size_t(maxBytes), 0);
        if (n >= 0) {
            *eof = n == 0;
            return n;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    }
    ERR_clear_error();
    const int n = SSL_read(m_ssl, data, int(qMin<qsizetype>(maxBytes, INT_MAX)));
    if (n > 0) {
        return n;
    }
    switch (SSL_get_error(m_ssl, n)) {
    case SSL_ERROR_WANT_READ:
        return 0;
    case SSL_ERROR_WANT_WRITE: // a TLS record of ours must go out first
        m_writeNotifier->setEnabled(true);
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        *eof = true;
        return 0;
    default:
        ERR_clear_error();
        return -1;
    }
}

qsizetype Socket::sendSome(QByteArrayView data, int *error)
{
    if (!m_ssl) {
        const ssize_t n = ::send(m_fd, data.data(), size_t(data.size()), MSG_NOSIGNAL);
        if (n >= 0) {
            return n;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return 0;
        }
        *error = errno;
        return -1;
    }
    ERR_clear_error();
    const int n = SSL_write(m_ssl, data.data(), int(qMin<qsizetype>(data.size(), INT_MAX)));
    if (n > 0) {
        return n;
    }
    switch (SSL_get_error(m_ssl, n)) {
    case SSL_ERROR_WANT_WRITE:
        return 0;
    case SSL_ERROR_WANT_READ:
        m_writeWantsRead = true;
        return 0;
    default:
        ERR_clear_error();
        *error = errno != 0 ? errno : EPIPE;
        return -1;
    }
}

// Waits for the socket to take more output: writable, or (TLS) the peer's bytes a write needs.
void Socket::awaitOutputRoom()
{
    if (m_writeWantsRead) {
        m_readNotifier->setEnabled(true);
    } else {
        m_writeNotifier->setEnabled(true);
    }
}

bool Socket::write(QByteArrayView data)
{
    if (m_fd < 0 || m_failed) {
        return false;
    }
    if (data.isEmpty()) {
        return true;
    }
    if (m_connecting || m_handshaking || pendingOutput() > 0) {
        m_out.append(data.data(), data.size());
        return true;
    }
    int error = 0;
    const qsizetype written = sendSome(data, &error);
    if (written < 0) {
        // Reported from the event loop (the write notifier fires at once on a broken socket),
        // never from inside the caller's write().
        m_pendingError = error;
        m_failed = true;
        m_readNotifier->setEnabled(false);
        m_writeNotifier->setEnabled(true);
        return false;
    }
    if (written < data.size()) {
        m_out.resize(0);
        m_outPos = 0;
        m_out.append(data.data() + written, data.size() - written);
        awaitOutputRoom();
    }
    return true;
}

bool Socket::flush()
{
    while (pendingOutput() > 0) {
        int error = 0;
        const qsizetype n = sendSome(QByteArrayView(m_out.constData() + m_outPos, pendingOutput()), &error);
        if (n < 0) {
            fail(error);
            return false;
        }
        if (n == 0) {
            break;
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
        if (m_ssl) {
            m_handshaking = true;
            continueHandshake();
            return;
        }
        m_readNotifier->setEnabled(m_readEnabled);
    }
    if (m_handshaking) {
        continueHandshake();
        return;
    }
    flushAndReport();
}

// Writes what is queued; once all is out, tells the handler it may write more.
void Socket::flushAndReport()
{
    if (!flush()) {
        return;
    }
    if (pendingOutput() > 0) {
        m_writeNotifier->setEnabled(false);
        awaitOutputRoom();
        return;
    }
    m_writeNotifier->setEnabled(false);
    if (m_shutdownWhenDrained) {
        shutdownWrite();
    }
    if (m_handler) {
        m_handler->onDrained(*this);
    }
}

void Socket::shutdownWrite()
{
    if (m_ssl && !m_handshaking) {
        ERR_clear_error();
        SSL_shutdown(m_ssl); // close_notify, so the peer can tell our end from a truncation
        ERR_clear_error();
    }
    ::shutdown(m_fd, SHUT_WR);
}

void Socket::startServerTls(ssl_st *session, std::shared_ptr<const void> owner)
{
    startTls(session, std::move(owner));
    SSL_set_accept_state(m_ssl);
    m_handshaking = true;
    m_readNotifier->setEnabled(true);
}

void Socket::startClientTls(ssl_st *session, std::shared_ptr<const void> owner)
{
    startTls(session, std::move(owner));
    SSL_set_connect_state(m_ssl);
    m_tlsClient = true;
    // The handshake starts once the TCP connect completes (onWriteActivated).
}

void Socket::startTls(ssl_st *session, std::shared_ptr<const void> owner)
{
    blockSigPipeOnThisThread();
    m_ssl = session;
    m_tlsOwner = std::move(owner);
    SSL_set_fd(m_ssl, m_fd);
}

void Socket::continueHandshake()
{
    ERR_clear_error();
    const int rc = SSL_do_handshake(m_ssl);
    if (rc == 1) {
        m_handshaking = false;
        m_readNotifier->setEnabled(m_readEnabled);
        if (m_tlsClient) {
            flushAndReport(); // the request queued meanwhile goes out; onDrained reports the connect
        } else {
            m_writeNotifier->setEnabled(pendingOutput() > 0);
        }
        // A client's first request often comes in the handshake's last flight: read ahead, it is
        // inside OpenSSL now, and the kernel will not report it again.
        if (m_fd >= 0 && !m_failed && m_handler && m_readEnabled && SSL_has_pending(m_ssl) == 1) {
            m_handler->onReadable(*this);
        }
        return;
    }
    switch (SSL_get_error(m_ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        m_readNotifier->setEnabled(true);
        m_writeNotifier->setEnabled(false);
        return;
    case SSL_ERROR_WANT_WRITE:
        m_readNotifier->setEnabled(false);
        m_writeNotifier->setEnabled(true);
        return;
    default:
        m_tlsError = handshakeError(m_ssl);
        ERR_clear_error();
        fail(EPROTO);
    }
}

bool Socket::absorbIdleTlsRecords()
{
    if (!m_ssl || m_fd < 0 || m_failed) {
        return false;
    }
    char byte = 0;
    ERR_clear_error();
    const int n = SSL_peek(m_ssl, &byte, 1);
    const bool housekeeping = n <= 0 && SSL_get_error(m_ssl, n) == SSL_ERROR_WANT_READ;
    ERR_clear_error();
    return housekeeping;
}

void Socket::onReadActivated()
{
    if (m_fd < 0) {
        return;
    }
    if (m_handshaking) {
        continueHandshake();
        return;
    }
    if (m_writeWantsRead) {
        m_writeWantsRead = false;
        flushAndReport();
        if (m_fd < 0 || m_failed) {
            return;
        }
        if (!m_readEnabled) {
            m_readNotifier->setEnabled(m_writeWantsRead);
            return;
        }
    }
    if (m_handler) {
        m_handler->onReadable(*this);
    }
}

void Socket::setReadEnabled(bool enabled)
{
    m_readEnabled = enabled;
    if (m_fd >= 0 && !m_connecting && !m_handshaking && !m_failed) {
        m_readNotifier->setEnabled(enabled || m_writeWantsRead);
    }
}

void Socket::shutdownWriteWhenDrained()
{
    if (m_fd < 0) {
        return;
    }
    if (pendingOutput() == 0 && !m_connecting && !m_handshaking) {
        shutdownWrite();
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
    // reuse is retried once on a fresh connection (UpstreamExchange::fail).
    return m_fd >= 0 && !m_failed && !m_connecting;
}

bool Socket::peerStillOpen()
{
    char byte = 0;
    const ssize_t n = ::recv(m_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0 && m_ssl) {
        return absorbIdleTlsRecords();
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void Socket::close()
{
    if (m_fd < 0) {
        return;
    }
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    if (NotifierCall::active()) {
        // A notifier may be inside its own activated() call: let the loop delete them.
        m_readNotifier->deleteLater();
        m_writeNotifier->deleteLater();
    } else {
        // Outside any callback (a worker closing its pool as its thread ends) nothing would
        // run a deleteLater any more.
        delete m_readNotifier;
        delete m_writeNotifier;
    }
    m_readNotifier = nullptr;
    m_writeNotifier = nullptr;
    endTls();
    ::close(m_fd);
    m_fd = -1;
}

void Socket::endTls()
{
    if (!m_ssl) {
        return;
    }
    if (!m_handshaking && !m_failed) {
        ERR_clear_error();
        SSL_shutdown(m_ssl);
    }
    SSL_free(m_ssl);
    ERR_clear_error();
    m_ssl = nullptr;
    m_tlsOwner.reset();
}

Socket::Peer Socket::peerOf(const sockaddr_storage &storage)
{
    Peer peer { QHostAddress(reinterpret_cast<const sockaddr *>(&storage)), 0 };
    peer.port = storage.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port)
                                              : ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    bool isV4 = false;
    const quint32 v4 = peer.address.toIPv4Address(&isV4);
    if (isV4) {
        peer.address = QHostAddress(v4);
    }
    return peer;
}

} // namespace gatehouse::engine::net

void std::default_delete<gatehouse::engine::net::Socket>::operator()(gatehouse::engine::net::Socket *socket) const
{
    gatehouse::engine::net::Socket::destroy(socket);
}
