#include <memory>

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QTimer>
#include <QToolBar>
#include <QLineEdit>
#include <QStackedWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QTcpServer>
#include <QTreeWidget>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/UiTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/document/ProfileDocument.h"
#include "ui/routes/RouteListModel.h"

using namespace gatehouse;

// The window over a real running engine: it lists the listeners and routes of the profile,
// counts requests that really went through the gateway, and says why the engine did not start.
class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void showsListenersRoutesAndCountsRequests();
    void showsUpstreamTargetState();
    void warnsAboutUnverifiedTls();
    void portInUseIsShownAndFixable();
    void sidebarSwitchesPages();
    void addRouteFromTheToolbar();

private:
    // Each test's window over its own engine, shown, as the app makes them.
    std::unique_ptr<engine::Gateway> m_gateway;
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestMainWindow::init()
{
    m_gateway = std::make_unique<engine::Gateway>();
    m_window = std::make_unique<ui::MainWindow>(*m_gateway);
    m_window->show();
}

void TestMainWindow::cleanup()
{
    if (m_gateway->isRunning()) {
        QVERIFY(test::stopGateway(*m_gateway));
    }
    m_window.reset();
    m_gateway.reset();
}

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

    m_window->document()->reset(*read.profile); // the app runs what its document holds
    QVERIFY(m_gateway->isRunning());
    const QList<engine::ListenerInfo> listeners = m_gateway->listeners();
    QCOMPARE(listeners.size(), 1);
    QVERIFY(listeners.first().port != 0);

    auto *listenersLabel = m_window->findChild<QLabel *>(QStringLiteral("listeners"));
    auto *requestsLabel = m_window->findChild<QLabel *>(QStringLiteral("requests"));
    auto *routes = m_window->findChild<QTableView *>(QStringLiteral("routesTable"));
    QVERIFY(listenersLabel && requestsLabel && routes);
    QVERIFY2(listenersLabel->text().contains(listeners.first().url()), qPrintable(listenersLabel->text()));
    QCOMPARE(routes->model()->rowCount(), 2);
    QCOMPARE(routes->model()->index(0, ui::RouteListModel::Name).data().toString(), QStringLiteral("hello"));
    QVERIFY(routes->model()->index(1, ui::RouteListModel::Target).data().toString().contains(QStringLiteral("418")));

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

    // The traffic view says why the other route did not take a request.
    m_window->showPage(ui::MainWindow::Traffic);
    auto *traffic = m_window->findChild<QTableView *>(QStringLiteral("trafficTable"));
    QTRY_VERIFY_WITH_TIMEOUT(traffic->model()->rowCount() == 3, 3000);
    traffic->setCurrentIndex(traffic->model()->index(0, 0));
    auto *overview = m_window->findChild<QTextBrowser *>(QStringLiteral("trafficOverview"));
    QVERIFY(overview);
    QTRY_VERIFY_WITH_TIMEOUT(overview->toPlainText().contains(QStringLiteral("Not teapot")), 2000);
    QVERIFY2(overview->toPlainText().contains(QStringLiteral("path /hello does not match path /tea")), qPrintable(overview->toPlainText()));
}

// The upstream view shows each target's live state: a target nothing listens on fails its
// health checks, is shown unhealthy, and requests get a 503 instead of waiting for it.
void TestMainWindow::showsUpstreamTargetState()
{
    const quint16 deadPort = test::closedLoopbackPort();
    QVERIFY(deadPort != 0);
    const profile::ReadResult read = profile::readProfile(test::unhealthyPoolProfile("ui-upstreams", deadPort),
                                                          QStringLiteral("<ui-upstreams>"), QString());
    QVERIFY(read.ok());

    m_window->document()->reset(*read.profile); // the app runs what its document holds
    QVERIFY(m_gateway->isRunning());
    m_window->showPage(ui::MainWindow::Upstreams);
    auto *upstreams = m_window->findChild<QTreeWidget *>(QStringLiteral("upstreams"));
    QVERIFY(upstreams);
    auto targetRow = [upstreams]() -> QTreeWidgetItem * {
        QTreeWidgetItem *pool = upstreams->topLevelItemCount() == 1 ? upstreams->topLevelItem(0) : nullptr;
        return pool && pool->childCount() == 1 ? pool->child(0) : nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(targetRow() && targetRow()->text(1).startsWith(QStringLiteral("unhealthy")), 5000);
    QVERIFY(upstreams->topLevelItem(0)->text(0).startsWith(QStringLiteral("pool ")));
    QVERIFY(upstreams->topLevelItem(0)->text(0).contains(QStringLiteral("round_robin")));
    QVERIFY2(targetRow()->text(0).endsWith(QString::number(deadPort)), qPrintable(targetRow()->text(0)));

    QNetworkAccessManager manager;
    QNetworkReply *reply = manager.get(QNetworkRequest(QUrl(m_gateway->listeners().first().url() + QStringLiteral("/pool"))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
    QVERIFY(reply->readAll().contains("no_healthy_target"));
    reply->deleteLater();
}

void TestMainWindow::warnsAboutUnverifiedTls()
{
    const QByteArray yaml = R"(gatehouse: 1
name: ui-tls-warning
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: legacy
    targets: [{ url: "https://127.0.0.1:1" }]
    tls: { verify: false }
routes:
  - name: legacy
    match: { path: /legacy }
    upstream: legacy
)";
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("<ui-tls>"), QString());
    QVERIFY(read.ok());
    auto *warnings = m_window->findChild<QLabel *>(QStringLiteral("warnings"));
    QVERIFY(warnings);
    QVERIFY(!warnings->isVisible());
    QVERIFY(m_gateway->start(*read.profile));
    QTRY_VERIFY_WITH_TIMEOUT(warnings->isVisible(), 2000);
    QVERIFY2(warnings->text().contains(QStringLiteral("upstream legacy: TLS certificate verification is off")),
             qPrintable(warnings->text()));
}

void TestMainWindow::portInUseIsShownAndFixable()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost));
    QByteArray yaml = R"(gatehouse: 1
name: ui-busy
listen:
  - bind: 127.0.0.1:@PORT@
routes:
  - name: hello
    match: { path: /hello }
    respond: { status: 200, body: hi }
)";
    yaml.replace("@PORT@", QByteArray::number(squatter.serverPort()));
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("<ui-busy>"), QString());
    QVERIFY(read.ok());
    // What the app does when the engine cannot start.
    QVERIFY(!m_gateway->start(*read.profile));
    m_window->showStartError(m_gateway->lastError().messages.join(QLatin1Char('\n')));
    auto *error = m_window->findChild<QLabel *>(QStringLiteral("startError"));
    QVERIFY(error && error->isVisible());
    QVERIFY2(error->text().contains(QString::number(squatter.serverPort())), qPrintable(error->text()));
    QVERIFY(error->text().contains(QStringLiteral("change the port")));
    auto *pages = m_window->findChild<QStackedWidget *>(QStringLiteral("pages"));
    QCOMPARE(pages->currentIndex(), int(ui::MainWindow::Listeners));
    QCOMPARE(m_window->findChild<QLabel *>(QStringLiteral("listeners"))->text(), QStringLiteral("Not running"));

    // Once the port is free the same profile starts, and the error goes away.
    squatter.close();
    QVERIFY(m_gateway->start(*read.profile));
    QTRY_VERIFY_WITH_TIMEOUT(!error->isVisible(), 2000);
}

void TestMainWindow::sidebarSwitchesPages()
{
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    auto *navigation = m_window->findChild<QListWidget *>(QStringLiteral("navigation"));
    auto *pages = m_window->findChild<QStackedWidget *>(QStringLiteral("pages"));
    QVERIFY(navigation && pages);
    QCOMPARE(navigation->count(), int(ui::MainWindow::PageCount));
    for (const int page : { int(ui::MainWindow::Logs), int(ui::MainWindow::Charts), int(ui::MainWindow::Tester), int(ui::MainWindow::Routes) }) {
        const QRect rect = navigation->visualItemRect(navigation->item(page));
        QTest::mouseClick(navigation->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(pages->currentIndex(), page);
    }
    QVERIFY(pages->widget(ui::MainWindow::Tester)->findChild<QLineEdit *>(QStringLiteral("testerUrl")));
    QVERIFY(pages->widget(ui::MainWindow::Logs)->findChild<QTableView *>(QStringLiteral("logTable")));
}

void TestMainWindow::addRouteFromTheToolbar()
{
    auto *toolbar = m_window->findChild<QToolBar *>(QStringLiteral("mainToolbar"));
    QVERIFY(toolbar);
    auto *addRoute = m_window->findChild<QAction *>(QStringLiteral("actionAddRouteGlobal"));
    QVERIFY(addRoute && toolbar->actions().contains(addRoute));
    // The form is modal: look at it, then cancel it, from inside its own event loop.
    QString seen;
    QTimer::singleShot(300, [&seen] {
        if (QWidget *modal = QApplication::activeModalWidget()) {
            seen = modal->objectName() + QLatin1Char('|') + modal->windowTitle();
            modal->close();
        }
    });
    QTest::mouseClick(toolbar->widgetForAction(addRoute), Qt::LeftButton);
    QVERIFY2(seen.startsWith(QStringLiteral("routeDialog|")), qPrintable(seen));
    QCOMPARE(m_window->findChild<QStackedWidget *>(QStringLiteral("pages"))->currentIndex(), int(ui::MainWindow::Routes));
    QCOMPARE(m_window->document()->profile().routes.size(), 0); // cancelled: nothing changed
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
