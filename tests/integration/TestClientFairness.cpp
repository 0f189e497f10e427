// SPEC §7.1 "one client cannot hurt the others" through the real binary: a connection that
// pipelines requests without reading the answers is no longer read from once its unsent answers
// pile up, so the gateway's memory stays flat and other clients keep being served promptly; and
// when it finally reads, every answer is there, in full.

#include <QTest>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QElapsedTimer>

#include "tests/integration/IntegrationClients.h"

using namespace gatehouse::test;
using namespace gatehouse::test::it;

namespace {

const QByteArray kRequest = "GET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n";

// A non-blocking loopback socket with small kernel buffers, so what piles up is in the gateway.
class Flooder
{
public:
    ~Flooder()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    bool open(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        const int small = 16 * 1024;
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            return false;
        }
        return ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK) == 0;
    }
    // Sends whole batches of pipelined requests while the gateway takes them, for at most `ms`.
    void sendFor(const QByteArray &batch, int ms)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < ms && m_sent < kFloodBytes) {
            const ssize_t n = ::send(m_fd, batch.constData() + m_offset, size_t(batch.size() - m_offset), MSG_NOSIGNAL);
            if (n > 0) {
                m_sent += n;
                m_offset = (m_offset + n) % batch.size();
                continue;
            }
            pollfd waiting { m_fd, POLLOUT, 0 };
            ::poll(&waiting, 1, 20);
        }
    }
    // Reads answers until `count` status lines arrived or `ms` passed; returns how many arrived.
    qint64 readAnswers(qint64 count, int ms, qint64 *notFound)
    {
        QElapsedTimer clock;
        clock.start();
        QByteArray carry;
        qint64 seen = 0;
        char buffer[64 * 1024];
        while (seen < count && clock.elapsed() < ms) {
            pollfd readable { m_fd, POLLIN, 0 };
            if (::poll(&readable, 1, 100) <= 0) {
                continue;
            }
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                break;
            }
            // A status line is 12 bytes ("HTTP/1.1 404"): one cut by a read is finished in the
            // next round from the 11 bytes kept, which are too few to hold one counted already.
            carry.append(buffer, n);
            for (qsizetype at = carry.indexOf("HTTP/1.1 "); at >= 0 && at + 12 <= carry.size();
                 at = carry.indexOf("HTTP/1.1 ", at + 1)) {
                ++seen;
                *notFound += carry.mid(at + 9, 3) == "404" ? 1 : 0;
            }
            carry = carry.right(11);
        }
        return seen;
    }
    qint64 sent() const { return m_sent; }

    static constexpr qint64 kFloodBytes = 24LL * 1024 * 1024;

private:
    int m_fd = -1;
    qint64 m_sent = 0;
    qsizetype m_offset = 0;
};

} // namespace

class TestClientFairness : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void pipelinerWhoDoesNotReadCannotHurtOthers();

private:
    QTemporaryDir m_dir;
    GatehouseProcess m_gateway;
};

void TestClientFairness::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QByteArray profile = R"(gatehouse: 1
name: fairness
listen:
  - bind: 127.0.0.1:0
limits:
  header_timeout: 60s
  idle_timeout: 60s
routes:
  - { name: ok, match: { path_exact: /ok }, respond: { status: 200, body: fine } }
)";
    QVERIFY2(m_gateway.startServe(writeFile(m_dir, QStringLiteral("fairness.yaml"), profile), { QStringLiteral("--quiet") }),
             m_gateway.stderrText().constData());
}

void TestClientFairness::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
}

void TestClientFairness::pipelinerWhoDoesNotReadCannotHurtOthers()
{
    const quint16 port = m_gateway.port();
    RawConnection other;
    QVERIFY(other.open(port));
    QCOMPARE(other.roundTrip("GET", "/ok")->status, 200);
    const qint64 before = residentBytes(m_gateway.pid());
    QVERIFY(before > 0);

    Flooder flooder;
    QVERIFY(flooder.open(port));
    QByteArray batch;
    for (int i = 0; i < 1024; ++i) {
        batch += kRequest;
    }
    // Flood in slices, and between them the other client asks: it must be answered promptly.
    qint64 slowest = 0;
    int answered = 0;
    QElapsedTimer flood;
    flood.start();
    while (flood.elapsed() < 5000 && flooder.sent() < Flooder::kFloodBytes) {
        flooder.sendFor(batch, 100);
        QElapsedTimer clock;
        clock.start();
        const auto response = other.roundTrip("GET", "/ok", {}, {}, 3000);
        QVERIFY2(response && response->status == 200, "another client was not answered while one flooded");
        slowest = std::max(slowest, clock.elapsed());
        ++answered;
    }
    const qint64 grown = residentBytes(m_gateway.pid()) - before;
    qInfo("flooder sent %lld bytes in %lld ms; other client: %d answers, slowest %lld ms; gateway grew %lld KiB",
          flooder.sent(), flood.elapsed(), answered, slowest, grown / 1024);
    QVERIFY2(slowest < 1000, "another client waited a second or more");
    // The gateway stopped reading the flood: kernel buffers hold what was sent, not its memory.
    QVERIFY2(flooder.sent() < Flooder::kFloodBytes / 2, "the gateway kept reading a client that never reads");
#ifndef __SANITIZE_ADDRESS__ // ASan's quarantine keeps freed memory resident on purpose
    QVERIFY2(grown < 48LL * 1024 * 1024, "the gateway's memory grew with a client's unread answers");
#endif

    // Nothing lost: every whole request the gateway took is answered once the client reads.
    const qint64 requests = flooder.sent() / kRequest.size();
    qint64 notFound = 0;
    QCOMPARE(flooder.readAnswers(requests, 30000, &notFound), requests);
    QCOMPARE(notFound, requests);
    QCOMPARE(other.roundTrip("GET", "/ok")->status, 200);
}

QTEST_GUILESS_MAIN(TestClientFairness)
#include "TestClientFairness.moc"
