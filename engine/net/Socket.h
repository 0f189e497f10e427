#pragma once

#include <memory>

#include <sys/socket.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>

class QSocketNotifier;
struct ssl_st;

namespace gatehouse::engine::net {
class Socket;
} // namespace gatehouse::engine::net

// A Socket is destroyed only through its unique_ptr, and this deleter does it: a Socket released
// while one of its callbacks is on the stack (a handler that answers 400 and drops its upstream
// from inside that upstream's handshake callback) is closed at once but freed only when that
// callback returns, since the socket's own code still reads its members after the handler. Declared
// before any unique_ptr<Socket> can be instantiated.
template<>
struct std::default_delete<gatehouse::engine::net::Socket>
{
    constexpr default_delete() noexcept = default;
    void operator()(gatehouse::engine::net::Socket *socket) const;
};

namespace gatehouse::engine::net {

// Receives a Socket's events. Handlers may close the socket, or destroy it (drop its unique_ptr),
// from inside any of them.
class SocketHandler
{
public:
    virtual ~SocketHandler() = default;
    virtual void onReadable(Socket &socket) = 0;
    // The output buffer drained (or a connect completed): the handler may write more.
    virtual void onDrained(Socket &socket) = 0;
    // The connection failed (connect refused, reset, write error). errno-style code.
    virtual void onFailed(Socket &socket, int error) = 0;
};

// A non-blocking TCP socket used directly through its descriptor with two QSocketNotifiers.
// PERFORMANCE.md: this is ~20% cheaper per request than an unbuffered QTcpSocket, and gives
// explicit back-pressure: reading is switched off while the peer's output is not drained.
// Lives on the thread that created it.
class Socket final
{
public:
    enum class ReadResult { Data, WouldBlock, Eof, Error };

    // Takes ownership of an accepted descriptor, already non-blocking (accept4 with
    // SOCK_NONBLOCK, as Qt accepts too): one fcntl pair less per connection.
    static std::unique_ptr<Socket> adopt(qintptr fd, SocketHandler *handler);
    // Starts a non-blocking connect; completion arrives as onDrained, failure as onFailed.
    static std::unique_ptr<Socket> connectTo(const QHostAddress &address, quint16 port,
                                             SocketHandler *handler, int *error);
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;

    void setHandler(SocketHandler *handler) { m_handler = handler; }

    // TLS over this socket (takes ownership of the session). The handshake runs inside the
    // socket: the handler sees onReadable only once it is done, and a client socket reports
    // its connect (onDrained) only after it. `owner` keeps the session's context alive.
    void startServerTls(ssl_st *session, std::shared_ptr<const void> owner);
    void startClientTls(ssl_st *session, std::shared_ptr<const void> owner);
    bool isTls() const { return m_ssl != nullptr; }
    // Why the TLS handshake failed ("certificate verify failed: ..."), for the error answer.
    const QString &tlsError() const { return m_tlsError; }
    // An idle pooled TLS connection became readable: true when that was only TLS housekeeping
    // (a session ticket) and the connection stays usable.
    bool absorbIdleTlsRecords();

    // Appends what is available (one read of up to maxBytes) to buffer.
    ReadResult readInto(QByteArray &buffer, qsizetype maxBytes = 64 * 1024);
    // Writes now if possible, queues the rest. False when the socket failed (already reported
    // or about to be through onFailed).
    bool write(QByteArrayView data);
    qsizetype pendingOutput() const { return m_out.size() - m_outPos; }
    bool isConnecting() const { return m_connecting; }
    bool isOpen() const { return m_fd >= 0; }

    void setReadEnabled(bool enabled);
    bool readEnabled() const { return m_readEnabled; }
    // Half-closes our side after the output is flushed (used for close-delimited responses).
    void shutdownWriteWhenDrained();
    void close();

    // True when an idle pooled connection is still usable (no EOF or stray bytes pending).
    bool isIdleAlive() const;
    // A peek at the kernel's queue: false when the peer already closed (or sent stray bytes).
    // One system call, so only for reuses that cannot be retried for free.
    bool peerStillOpen();

    // A client's address (v4-mapped shown as IPv4, as nginx's $remote_addr) and port, from the
    // address accept4() gave: no getpeername() per connection.
    struct Peer
    {
        QHostAddress address;
        quint16 port = 0;
    };
    static Peer peerOf(const sockaddr_storage &address);

private:
    friend struct std::default_delete<Socket>;
    Socket(int fd, SocketHandler *handler, bool connecting);
    ~Socket(); // through destroy() only
    static void destroy(Socket *socket);
    // Runs a notifier's callback; frees the socket afterwards if a handler destroyed it meanwhile.
    void dispatch(void (Socket::*activated)());
    void onReadActivated();
    void onWriteActivated();
    bool flush();
    void fail(int error);
    void flushAndReport();
    void awaitOutputRoom();
    void shutdownWrite();
    // One send or receive, through TLS when on: bytes moved, 0 when it would block, -1 on error.
    qsizetype sendSome(QByteArrayView data, int *error);
    qsizetype receiveSome(char *data, qsizetype maxBytes, bool *eof);
    void startTls(ssl_st *session, std::shared_ptr<const void> owner);
    void continueHandshake();
    void endTls();

    int m_fd = -1;
    SocketHandler *m_handler = nullptr;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_out;
    qsizetype m_outPos = 0;
    bool m_connecting = false;
    bool m_readEnabled = true;
    bool m_shutdownWhenDrained = false;
    bool m_failed = false;
    int m_pendingError = 0;
    ssl_st *m_ssl = nullptr;
    std::shared_ptr<const void> m_tlsOwner;
    bool m_handshaking = false;
    bool m_tlsClient = false;
    bool m_writeWantsRead = false; // a TLS write waits for the peer's bytes
    QString m_tlsError;
    int m_callbackDepth = 0; // this socket's notifier callbacks on the stack
    bool m_destroyPending = false; // destroyed from inside a callback: freed when it returns
};

} // namespace gatehouse::engine::net
