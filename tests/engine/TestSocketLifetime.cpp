// net::Socket over real loopback connections: a handler may destroy its socket from inside any
// callback, also the one that reports a completed TLS handshake, and the socket's own code that
// runs after the handler must not touch freed memory (ASan: heap-use-after-free before the
// socket's deleter deferred the free to the end of the callback).

#include <functional>
#include <memory>

#include <fcntl.h>

#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "engine/net/Socket.h"
#include "engine/tls/ClientTlsContext.h"
#include "engine/tls/LocalCa.h"
#include "engine/tls/ServerTlsContext.h"

using namespace gatehouse::engine;

namespace {

// Keeps accepted descriptors for the test to adopt, as the Listener hands them to a worker:
// non-blocking, as the Listener's accept4(SOCK_NONBLOCK) makes them (Qt's accept does not).
class Acceptor final : public QTcpServer
{
public:
    QList<qintptr> descriptors;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        ::fcntl(int(descriptor), F_SETFL, ::fcntl(int(descriptor), F_GETFL, 0) | O_NONBLOCK);
        descriptors.append(descriptor);
    }
};

class Handler final : public net::SocketHandler
{
public:
    std::function<void(net::Socket &)> readable;
    std::function<void(net::Socket &)> drained;
    std::function<void(net::Socket &, int)> failed;
    void onReadable(net::Socket &socket) override
    {
        if (readable) {
            readable(socket);
        }
    }
    void onDrained(net::Socket &socket) override
    {
        if (drained) {
            drained(socket);
        }
    }
    void onFailed(net::Socket &socket, int error) override
    {
        if (failed) {
            failed(socket, error);
        }
    }
};

// Reads all that is there into `into`; true once the peer closed (or failed).
bool readAll(net::Socket &socket, QByteArray &into)
{
    while (true) {
        switch (socket.readInto(into)) {
        case net::Socket::ReadResult::Data:
            continue;
        case net::Socket::ReadResult::WouldBlock:
            return false;
        case net::Socket::ReadResult::Eof:
        case net::Socket::ReadResult::Error:
            return true;
        }
    }
}

} // namespace

class TestSocketLifetime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void clientDestroyedWhenItsHandshakeCompletes();
    void serverDestroyedOnItsFirstRead();

private:
    std::unique_ptr<net::Socket> acceptTls(Handler &handler);

    QTemporaryDir m_dir;
    Acceptor m_acceptor;
    std::shared_ptr<const tls::ServerTlsContext> m_server;
    std::shared_ptr<const tls::ClientTlsContext> m_client;
};

void TestSocketLifetime::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    const auto ca = tls::LocalCa::openOrCreate(m_dir.path(), &error);
    QVERIFY2(ca, qPrintable(error));
    const tls::IssuedCertificate issued = ca->issue({ QStringLiteral("localhost") }, &error);
    QVERIFY2(!issued.certPem.isEmpty(), qPrintable(error));
    m_server = tls::ServerTlsContext::create({ tls::CertificatePem { {}, issued.certPem, issued.keyPem, QStringLiteral("test") } }, &error);
    QVERIFY2(m_server, qPrintable(error));
    m_client = tls::ClientTlsContext::create({ QString(), false }, &error);
    QVERIFY2(m_client, qPrintable(error));
    QVERIFY(m_acceptor.listen(QHostAddress::LocalHost, 0));
}

std::unique_ptr<net::Socket> TestSocketLifetime::acceptTls(Handler &handler)
{
    if (!QTest::qWaitFor([this] { return !m_acceptor.descriptors.isEmpty(); }, 5000)) {
        return nullptr;
    }
    auto socket = net::Socket::adopt(m_acceptor.descriptors.takeFirst(), &handler);
    socket->startServerTls(m_server->newSession(), m_server);
    return socket;
}

void TestSocketLifetime::clientDestroyedWhenItsHandshakeCompletes()
{
    // As a session that answers 400 to a request whose body turned bad while its upstream's
    // handshake ran: the upstream socket is dropped inside the callback reporting that handshake.
    Handler clientHandler;
    int error = 0;
    std::unique_ptr<net::Socket> client = net::Socket::connectTo(QHostAddress::LocalHost, m_acceptor.serverPort(), &clientHandler, &error);
    QVERIFY2(client, qPrintable(qt_error_string(error)));
    client->startClientTls(m_client->newSession("localhost"), m_client);
    QVERIFY(client->write("hello")); // queued until the handshake is done
    int drained = 0;
    bool ownSocket = false;
    clientHandler.drained = [&](net::Socket &socket) {
        ownSocket = &socket == client.get();
        ++drained;
        client.reset();
    };

    Handler serverHandler;
    QByteArray received;
    bool serverSawClose = false;
    serverHandler.readable = [&](net::Socket &socket) { serverSawClose = readAll(socket, received) || serverSawClose; };
    serverHandler.failed = [&](net::Socket &, int) { serverSawClose = true; };
    const std::unique_ptr<net::Socket> server = acceptTls(serverHandler);
    QVERIFY(server);

    QTRY_COMPARE(drained, 1);
    QVERIFY(ownSocket);
    QVERIFY(!client);
    // The queued bytes went out before the callback, and the close reached the peer.
    QTRY_VERIFY(serverSawClose);
    QCOMPARE(received, QByteArray("hello"));
}

void TestSocketLifetime::serverDestroyedOnItsFirstRead()
{
    // The request comes with the handshake's last flight and is read from inside the handshake's
    // callback; the handler drops the connection there (a bad request head).
    Handler serverHandler;
    std::unique_ptr<net::Socket> server;
    QByteArray received;
    serverHandler.readable = [&](net::Socket &socket) {
        readAll(socket, received);
        if (!received.isEmpty()) {
            server.reset();
        }
    };
    Handler clientHandler;
    bool clientSawClose = false;
    clientHandler.readable = [&](net::Socket &socket) {
        QByteArray ignored;
        clientSawClose = readAll(socket, ignored) || clientSawClose;
    };
    clientHandler.failed = [&](net::Socket &, int) { clientSawClose = true; };
    int error = 0;
    const std::unique_ptr<net::Socket> client = net::Socket::connectTo(QHostAddress::LocalHost, m_acceptor.serverPort(), &clientHandler, &error);
    QVERIFY(client);
    client->startClientTls(m_client->newSession("localhost"), m_client);
    QVERIFY(client->write("GET / HTTP/1.1\r\n\r\n"));
    server = acceptTls(serverHandler);
    QVERIFY(server);
    QTRY_VERIFY(!server);
    QCOMPARE(received, QByteArray("GET / HTTP/1.1\r\n\r\n"));
    QTRY_VERIFY(clientSawClose);
}

QTEST_GUILESS_MAIN(TestSocketLifetime)
#include "TestSocketLifetime.moc"
