// The built-in services live outside the engine: a Gateway runs a profile's `services:` only
// through the runner the app gives it (services::ServiceHost), and refuses them without one.

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "services/ServiceHost.h"

using namespace gatehouse;

namespace {

const QByteArray kProfile = "gatehouse: 1\n"
                            "listen: [{ bind: 127.0.0.1:0 }]\n"
                            "services:\n"
                            "  - name: users\n"
                            "    kind: echo\n"
                            "    bind: 127.0.0.1:0\n"
                            "upstreams:\n"
                            "  - name: users\n"
                            "    targets: [{ url: http://127.0.0.1:9 }]\n"
                            "routes:\n"
                            "  - name: users\n"
                            "    match: { path: /users }\n"
                            "    upstream: users\n";

// One GET on a fresh connection; the status line, or empty.
QByteArray statusLine(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(3000)) {
        return {};
    }
    socket.write("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    while (!answer.contains("\r\n") && socket.waitForReadyRead(3000)) {
        answer += socket.readAll();
    }
    return answer.left(answer.indexOf("\r\n"));
}

bool stop(engine::Gateway &gateway)
{
    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(1));
    return stopped.wait(5000);
}

} // namespace

class TestServiceRunner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void refusedWithoutARunner()
    {
        const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("<services>"), QString());
        QVERIFY(read.ok());
        engine::Gateway gateway;
        QVERIFY(!gateway.start(*read.profile));
        QCOMPARE(gateway.lastError().kind, engine::GatewayError::Kind::BindFailed);
        QVERIFY2(gateway.lastError().messages.join(QLatin1Char(' ')).contains(QLatin1String("services")),
                 qPrintable(gateway.lastError().messages.join(QLatin1Char(' '))));
        QVERIFY(!gateway.isRunning());
        QVERIFY(gateway.services().isEmpty());
    }

    void runsThroughTheAppsHost()
    {
        const profile::ReadResult read = profile::readProfile(kProfile, QStringLiteral("<services>"), QString());
        QVERIFY(read.ok());
        engine::Gateway gateway;
        gateway.setServiceRunner(std::make_unique<services::ServiceHost>());
        // Twice: the runner outlives a stop, and its services stop with the gateway.
        for (int round = 0; round < 2; ++round) {
            QVERIFY2(gateway.start(*read.profile), qPrintable(gateway.lastError().messages.join(QLatin1Char(' '))));
            const QList<engine::ServiceInfo> running = gateway.services();
            QCOMPARE(running.size(), 1);
            QCOMPARE(running.first().name, QStringLiteral("users"));
            QVERIFY(running.first().port > 0);
            QCOMPARE(statusLine(running.first().port), QByteArray("HTTP/1.1 200 OK"));
            QVERIFY(stop(gateway));
            QVERIFY(gateway.services().isEmpty());
            QCOMPARE(statusLine(running.first().port), QByteArray()); // closed with the gateway
        }
    }
};

QTEST_GUILESS_MAIN(TestServiceRunner)
#include "TestServiceRunner.moc"
