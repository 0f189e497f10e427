// Receivers of the Gateway's trafficBatch come and go while it lives (views closed in the app).
// Qt may tell the Gateway of a disconnection with its connection lock held: asking then whether
// anyone still listens waited for that lock forever (a hang seen in a GUI test). Enough receivers
// that some share the Gateway's lock in Qt's mutex pool are destroyed here; then a listener
// connected afterwards still gets its batches from a running gateway.

#include <memory>
#include <vector>

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"

using namespace gatehouse;

class TestGatewaySignals : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void receiversDestroyedWhileTheGatewayLives()
    {
        engine::Gateway gateway;
        for (int round = 0; round < 4; ++round) {
            std::vector<std::unique_ptr<QObject>> receivers;
            for (int i = 0; i < 500; ++i) {
                receivers.push_back(std::make_unique<QObject>());
                connect(&gateway, &engine::Gateway::trafficBatch, receivers.back().get(), [] {});
            }
            receivers.clear();
        }

        const auto read = profile::readProfile("gatehouse: 1\nname: signals\nlisten: [{ bind: 127.0.0.1:0 }]\n"
                                               "routes:\n  - { name: hi, match: { path: / }, respond: { body: hi } }\n",
                                               QStringLiteral("signals.yaml"), QDir::tempPath());
        QVERIFY(read.ok());
        QVERIFY(gateway.start(*read.profile));
        QSignalSpy batches(&gateway, &engine::Gateway::trafficBatch);
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, gateway.listeners().first().port);
        QVERIFY(client.waitForConnected(5000));
        client.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QVERIFY(batches.wait(5000));
        QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
        gateway.stop(std::chrono::seconds(1));
        QVERIFY(stopped.wait(5000));
    }
};

QTEST_MAIN(TestGatewaySignals)
#include "TestGatewaySignals.moc"
