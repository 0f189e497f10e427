#include <QLabel>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "ui/MainWindow.h"

using namespace gatehouse;

// The minimal window over a real running engine: it lists the listeners and routes of the
// profile and counts requests that really went through the gateway.
class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void showsListenersRoutesAndCountsRequests();
};

void TestMainWindow::showsListenersRoutesAndCountsRequests()
{
    const QByteArray yaml = R"(gatehouse: 1
name: ui-test
listen:
  - bind: 127.0.0.1:0
routes:
  - name: hello
    match: { path_exact: /hello }
    respond: { status: 200, body: hi }
  - name: teapot
    match: { path: /tea }
    respond: { status: 418, body: short and stout }
)";
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("<ui-test>"), QString());
    QVERIFY(read.ok());

    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(gateway.start(*read.profile));
    const QList<engine::ListenerInfo> listeners = gateway.listeners();
    QCOMPARE(listeners.size(), 1);
    QVERIFY(listeners.first().port != 0);

    auto *listenersLabel = window.findChild<QLabel *>(QStringLiteral("listeners"));
    auto *requestsLabel = window.findChild<QLabel *>(QStringLiteral("requests"));
    auto *routes = window.findChild<QListWidget *>(QStringLiteral("routes"));
    QVERIFY(listenersLabel && requestsLabel && routes);
    QVERIFY2(listenersLabel->text().contains(listeners.first().url()), qPrintable(listenersLabel->text()));
    QCOMPARE(routes->count(), 2);
    QVERIFY(routes->item(0)->text().startsWith(QStringLiteral("hello")));
    QVERIFY(routes->item(1)->text().contains(QStringLiteral("418")));

    QNetworkAccessManager manager;
    for (int i = 0; i < 3; ++i) {
        QNetworkReply *reply = manager.get(QNetworkRequest(QUrl(listeners.first().url() + QStringLiteral("/hello"))));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(5000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->readAll(), QByteArray("hi"));
        reply->deleteLater();
    }
    QTRY_VERIFY_WITH_TIMEOUT(requestsLabel->text().startsWith(QStringLiteral("Requests: 3")), 5000);

    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(2));
    QVERIFY(stopped.wait(5000));
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
