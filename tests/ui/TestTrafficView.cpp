// The traffic view over a real running engine and a real `gatehouse echo` upstream: rows appear
// as requests pass, a clicked row shows its route, status and headers (secrets redacted
// everywhere), the filter bar narrows the table, pause holds it still and counts what it
// missed, clear empties it, "Copy as curl" repeats the request through the gateway for real,
// and a HAR export of two rows is valid HAR 1.2. The headers and query parameters the profile's
// token_from names are redacted like Authorization in all of it.

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeWidget>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TestSupport.h"
#include "tests/support/UiTestSupport.h"
#include "ui/traffic/CurlCommand.h"
#include "ui/traffic/RepaintLimiter.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficView.h"

using namespace gatehouse;

namespace {

// The routes of the view's profile, beside an upstream `echo` whose URL is known at run time.
const QByteArray kRoutes = "  - name: api\n"
                           "    match: { path: /api }\n"
                           "    upstream: echo\n"
                           "  - name: hello\n"
                           "    match: { path_exact: /hello }\n"
                           "    respond: { status: 200, body: hi }\n";

const QByteArray kToken = "abc.def.ghi";

// A JWT profile no route uses: its token_from names are redacted on every route all the same.
const QByteArray kJwt = "jwt:\n"
                        "  - { name: hs, algorithms: [HS256], secret: env:GATEHOUSE_VIEW_JWT_SECRET,\n"
                        "      token_from: [header:Authorization, header:X-Api-Token, query:access_token] }\n";

// Every text the view's widgets show, to prove a secret is nowhere in it.
QStringList allTexts(const QWidget &root)
{
    QStringList texts;
    for (const QLabel *label : root.findChildren<QLabel *>()) {
        texts << label->text() << label->toolTip();
    }
    for (const QLineEdit *edit : root.findChildren<QLineEdit *>()) {
        texts << edit->text();
    }
    for (const QTextBrowser *browser : root.findChildren<QTextBrowser *>()) {
        texts << browser->toHtml();
    }
    for (const QComboBox *combo : root.findChildren<QComboBox *>()) {
        for (int i = 0; i < combo->count(); ++i) {
            texts << combo->itemText(i);
        }
    }
    for (const QTreeWidget *tree : root.findChildren<QTreeWidget *>()) {
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            for (int column = 0; column < tree->columnCount(); ++column) {
                texts << tree->topLevelItem(i)->text(column) << tree->topLevelItem(i)->toolTip(column);
            }
        }
    }
    for (const QTableView *table : root.findChildren<QTableView *>()) {
        const QAbstractItemModel *model = table->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            for (int column = 0; column < model->columnCount(); ++column) {
                texts << model->index(row, column).data().toString() << model->index(row, column).data(Qt::ToolTipRole).toString();
            }
        }
    }
    return texts;
}

QTreeWidgetItem *headerItem(const QTreeWidget *tree, const QString &name)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->text(0) == name) {
            return tree->topLevelItem(i);
        }
    }
    return nullptr;
}

QJsonValue harHeader(const QJsonArray &headers, const QString &name)
{
    for (const QJsonValue &header : headers) {
        if (header[QStringLiteral("name")].toString().compare(name, Qt::CaseInsensitive) == 0) {
            return header[QStringLiteral("value")];
        }
    }
    return {};
}

} // namespace

class TestTrafficView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void emptyBeforeTraffic();
    void clickedRowShowsItsDetails();
    void filterBarNarrowsTheTable();
    void copyAsCurlRepeatsTheRequest();
    void exportsSelectionAsHar();
    void pauseHoldsTheTableStill();
    void webSocketSessionShowsBytesEachWay();
    void followKeepsTheNewestRowInView();
    void clearShowsTheEmptyState();
    void curlCommandIsShellSafe();
    void repaintsAtMostFourTimesASecond();
    void tokenSourcesAreRedacted();

private:
    int send(const QByteArray &method, const QString &path, const QList<std::pair<QByteArray, QByteArray>> &headers = {},
             const QByteArray &body = {});
    int tableRowOf(const QString &path) const;
    bool clickRow(int row);
    template<typename T>
    T *child(const char *name) const { return m_view->findChild<T *>(QString::fromLatin1(name)); }

    test::GatehouseProcess m_echo;
    std::unique_ptr<engine::Gateway> m_gateway;
    std::unique_ptr<ui::TrafficModel> m_model;
    std::unique_ptr<ui::TrafficView> m_view;
    QNetworkAccessManager m_manager;
    QString m_baseUrl;
};

void TestTrafficView::initTestCase()
{
    QVERIFY2(m_echo.startEcho(QStringLiteral("view-echo")), m_echo.stderrText().constData());
    qputenv("GATEHOUSE_VIEW_JWT_SECRET", "traffic-view-hmac-secret-0123456789abcdef");
    const profile::ReadResult read = profile::readProfile(test::echoProfile("traffic-view", m_echo.url(), kRoutes, kJwt),
                                                          QStringLiteral("<traffic-view>"), QString());
    QVERIFY(read.ok());

    m_gateway = std::make_unique<engine::Gateway>();
    m_gateway->setObserved(true); // workers keep headers, as in the app
    m_model = std::make_unique<ui::TrafficModel>();
    connect(m_gateway.get(), &engine::Gateway::trafficBatch, m_model.get(), &ui::TrafficModel::appendBatch);
    QVERIFY(m_gateway->start(*read.profile));
    m_baseUrl = m_gateway->listeners().first().url();

    m_view = std::make_unique<ui::TrafficView>(m_model.get());
    m_view->setBaseUrl(m_baseUrl);
    m_view->resize(1200, 800);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestTrafficView::cleanupTestCase()
{
    m_view.reset();
    if (m_gateway && m_gateway->isRunning()) {
        QSignalSpy stopped(m_gateway.get(), &engine::Gateway::stopped);
        m_gateway->stop(std::chrono::seconds(2));
        QVERIFY(stopped.wait(5000));
    }
}

int TestTrafficView::send(const QByteArray &method, const QString &path, const QList<std::pair<QByteArray, QByteArray>> &headers,
                          const QByteArray &body)
{
    return test::statusOf(m_manager, method, m_baseUrl + path, headers, body);
}

int TestTrafficView::tableRowOf(const QString &path) const
{
    const QAbstractItemModel *shown = child<QTableView>("trafficTable")->model();
    for (int row = 0; row < shown->rowCount(); ++row) {
        if (shown->index(row, ui::TrafficModel::Path).data().toString() == path) {
            return row;
        }
    }
    return -1;
}

bool TestTrafficView::clickRow(int row)
{
    auto *table = child<QTableView>("trafficTable");
    if (row < 0 || !table->isVisible()) {
        return false;
    }
    const QModelIndex index = table->model()->index(row, ui::TrafficModel::Path);
    table->scrollTo(index);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
    return table->currentIndex().row() == row;
}

void TestTrafficView::emptyBeforeTraffic()
{
    auto *empty = child<QLabel>("trafficEmpty");
    QVERIFY(empty);
    QVERIFY(empty->isVisible());
    QVERIFY2(empty->text().contains(QStringLiteral("curl ") + m_baseUrl + u'/'), qPrintable(empty->text()));
    QVERIFY(!child<QTableView>("trafficTable")->isVisible());
    QCOMPARE(child<QLabel>("trafficCount")->text(), QStringLiteral("0 requests"));
    for (const char *name : { "trafficFilter", "trafficRoute", "trafficStatus", "trafficMethod", "trafficPause",
                              "trafficClear", "trafficFollow", "trafficDetail", "trafficOverview",
                              "trafficRequestHeaders", "trafficResponseHeaders" }) {
        QVERIFY2(m_view->findChild<QWidget *>(QString::fromLatin1(name)), name);
    }
    QVERIFY(child<QToolButton>("trafficFollow")->isChecked());
    QCOMPARE(child<QLineEdit>("trafficFilter")->placeholderText(), QStringLiteral("Filter: path, host, status, request id…"));
}

void TestTrafficView::clickedRowShowsItsDetails()
{
    QCOMPARE(send("GET", QStringLiteral("/api/items?page=2"), { { "Authorization", "Bearer " + kToken }, { "X-Trace", "7" } }), 200);
    QCOMPARE(send("GET", QStringLiteral("/missing")), 404);
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 2, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(child<QTableView>("trafficTable")->isVisible(), 2000);
    QVERIFY(!child<QLabel>("trafficEmpty")->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>("trafficCount")->text(), QStringLiteral("2 requests"), 2000);

    QVERIFY(clickRow(tableRowOf(QStringLiteral("/api/items?page=2"))));
    const QString overview = child<QTextBrowser>("trafficOverview")->toPlainText();
    // toPlainText() puts each table cell on its own line.
    QVERIFY2(overview.contains(QStringLiteral("Route\napi\n")), qPrintable(overview));
    QVERIFY2(overview.contains(QStringLiteral("Status\n200\n")), qPrintable(overview));
    QVERIFY2(overview.contains(QStringLiteral("http://127.0.0.1:%1").arg(m_echo.port())), qPrintable(overview));
    QVERIFY2(overview.contains(QStringLiteral("GET /api/items?page=2")), qPrintable(overview));
    for (const char *row : { "Queue\n", "Connect\n", "Upstream\n", "Transfer\n", "Total\n" }) {
        QVERIFY2(overview.contains(QString::fromLatin1(row)), qPrintable(overview));
    }

    auto *sent = child<QTreeWidget>("trafficRequestHeaders");
    QTreeWidgetItem *trace = headerItem(sent, QStringLiteral("X-Trace")); // the case the client used
    QVERIFY(trace);
    QCOMPARE(trace->text(1), QStringLiteral("7"));
    QTreeWidgetItem *authorization = headerItem(sent, QStringLiteral("Authorization"));
    QVERIFY(authorization);
    QCOMPARE(authorization->text(1), QStringLiteral("[redacted]"));
    auto *answered = child<QTreeWidget>("trafficResponseHeaders");
    QVERIFY(headerItem(answered, QStringLiteral("Content-Type")));
    for (const QString &text : allTexts(*m_view)) {
        QVERIFY2(!text.contains(QString::fromLatin1(kToken)), qPrintable(text));
    }

    // The gateway's own 404: no route, and the headers the gateway answered with.
    QVERIFY(clickRow(tableRowOf(QStringLiteral("/missing"))));
    QVERIFY2(child<QTextBrowser>("trafficOverview")->toPlainText().contains(QStringLiteral("no route matched")),
             qPrintable(child<QTextBrowser>("trafficOverview")->toPlainText()));
    QTreeWidgetItem *type = headerItem(answered, QStringLiteral("Content-Type"));
    QVERIFY(type);
    QCOMPARE(type->text(1), QStringLiteral("application/json"));
    QVERIFY(headerItem(answered, QStringLiteral("X-Request-ID")));
}

void TestTrafficView::filterBarNarrowsTheTable()
{
    auto *table = child<QTableView>("trafficTable");
    auto *filter = child<QLineEdit>("trafficFilter");
    filter->setFocus();
    QTest::keyClicks(filter, QStringLiteral("missing"));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 2000);
    QCOMPARE(table->model()->index(0, ui::TrafficModel::Path).data().toString(), QStringLiteral("/missing"));
    QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>("trafficCount")->text(), QStringLiteral("1 of 2 requests"), 2000);
    filter->clear();
    QCOMPARE(table->model()->rowCount(), 2);

    auto *status = child<QComboBox>("trafficStatus");
    QCOMPARE(status->count(), 5);
    status->setFocus();
    QTest::keyClick(status, Qt::Key_Down); // 2xx
    QTest::keyClick(status, Qt::Key_Down); // 3xx
    QTest::keyClick(status, Qt::Key_Down); // 4xx
    QCOMPARE(status->currentText(), QStringLiteral("4xx"));
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, ui::TrafficModel::Status).data().toInt(), 404);
    status->setCurrentIndex(0);
    QCOMPARE(table->model()->rowCount(), 2);

    // Routes: those seen in traffic at once, the profile's once the window passes them in.
    auto *route = child<QComboBox>("trafficRoute");
    QVERIFY(route->findText(QStringLiteral("api")) > 0);
    m_view->setRoutes({ QStringLiteral("api"), QStringLiteral("hello") });
    QCOMPARE(route->itemText(0), QStringLiteral("All routes"));
    QCOMPARE(route->itemText(1), QStringLiteral("api"));
    QCOMPARE(route->itemText(2), QStringLiteral("hello"));
    route->setCurrentIndex(route->findText(QStringLiteral("hello")));
    QCOMPARE(table->model()->rowCount(), 0);
    route->setCurrentIndex(route->findText(QStringLiteral("api")));
    QCOMPARE(table->model()->rowCount(), 1);
    route->setCurrentIndex(0);

    auto *method = child<QComboBox>("trafficMethod");
    method->setCurrentIndex(method->findText(QStringLiteral("POST")));
    QCOMPARE(table->model()->rowCount(), 0);
    method->setCurrentIndex(0);
    QCOMPARE(table->model()->rowCount(), 2);
}

void TestTrafficView::copyAsCurlRepeatsTheRequest()
{
    QVERIFY(clickRow(tableRowOf(QStringLiteral("/api/items?page=2"))));
    auto *copyCurl = m_view->findChild<QAction *>(QStringLiteral("actionCopyCurl"));
    QVERIFY(copyCurl);
    QVERIFY(copyCurl->isEnabled());
    QVERIFY(!copyCurl->shortcut().isEmpty());
    QApplication::clipboard()->clear();
    copyCurl->trigger();
    const QString command = QApplication::clipboard()->text();
    QVERIFY2(command.startsWith(QStringLiteral("curl '") + m_baseUrl + QStringLiteral("/api/items?page=2'")), qPrintable(command));
    QVERIFY2(command.contains(QStringLiteral("-H 'X-Trace: 7'")), qPrintable(command));
    QVERIFY2(command.contains(QStringLiteral("\"Authorization: Bearer $TOKEN\"")), qPrintable(command));
    QVERIFY2(!command.contains(QString::fromLatin1(kToken)), qPrintable(command));

    // Really run it, through the running gateway to the echo, with the token from the environment.
    const int before = m_model->rowCount();
    QProcess shell;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TOKEN"), QString::fromLatin1(kToken));
    shell.setProcessEnvironment(environment);
    QSignalSpy finished(&shell, &QProcess::finished);
    shell.start(QStringLiteral("bash"), { QStringLiteral("-c"), command + QStringLiteral(" --silent --show-error --max-time 10") });
    // The gateway's listener runs on this thread: wait with the event loop running, not blocked.
    QVERIFY(finished.wait(15000));
    QCOMPARE(shell.exitCode(), 0);
    const QJsonObject echoed = QJsonDocument::fromJson(shell.readAllStandardOutput()).object();
    QVERIFY2(!echoed.isEmpty(), shell.readAllStandardError().constData());
    QCOMPARE(echoed[QStringLiteral("method")].toString(), QStringLiteral("GET"));
    QCOMPARE(echoed[QStringLiteral("path")].toString(), QStringLiteral("/api/items"));
    QCOMPARE(echoed[QStringLiteral("query")].toString(), QStringLiteral("page=2"));
    const QJsonObject headers = echoed[QStringLiteral("headers")].toObject();
    QCOMPARE(headers[QStringLiteral("x-trace")].toString(), QStringLiteral("7"));
    QCOMPARE(headers[QStringLiteral("authorization")].toString(), QStringLiteral("Bearer ") + QString::fromLatin1(kToken));
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), before + 1, 5000);

    auto *copyId = m_view->findChild<QAction *>(QStringLiteral("actionCopyRequestId"));
    QVERIFY(copyId);
    copyId->trigger();
    const QModelIndex current = child<QTableView>("trafficTable")->currentIndex();
    QVERIFY(current.isValid());
    QCOMPARE(QApplication::clipboard()->text().toLatin1(), m_model->event(current.row()).requestId);
}

void TestTrafficView::exportsSelectionAsHar()
{
    auto *table = child<QTableView>("trafficTable");
    QString error;
    table->clearSelection();
    QVERIFY(!m_view->exportHar(QStringLiteral("/nonexistent/never.har"), &error));
    QVERIFY(!error.isEmpty());

    const int apiRow = tableRowOf(QStringLiteral("/api/items?page=2"));
    const int missingRow = tableRowOf(QStringLiteral("/missing"));
    QVERIFY(apiRow >= 0 && missingRow >= 0);
    QItemSelectionModel *selection = table->selectionModel();
    selection->select(table->model()->index(missingRow, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    selection->select(table->model()->index(apiRow, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(m_view->selectedEvents().size(), 2);
    QVERIFY(m_view->findChild<QAction *>(QStringLiteral("actionExportHar"))->isEnabled());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("two.har"));
    QVERIFY2(m_view->exportHar(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains(kToken));
    QJsonParseError parseError;
    const QJsonDocument har = QJsonDocument::fromJson(bytes, &parseError);
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
    const QJsonObject log = har[QStringLiteral("log")].toObject();
    QCOMPARE(log[QStringLiteral("version")].toString(), QStringLiteral("1.2"));
    QCOMPARE(log[QStringLiteral("creator")][QStringLiteral("name")].toString(), QStringLiteral("Gatehouse"));
    QVERIFY(!log[QStringLiteral("creator")][QStringLiteral("version")].toString().isEmpty());
    const QJsonArray entries = log[QStringLiteral("entries")].toArray();
    QCOMPARE(entries.size(), 2);

    // Oldest first, whatever the order they were selected in.
    const QJsonObject api = entries.at(0).toObject();
    const QJsonObject request = api[QStringLiteral("request")].toObject();
    QCOMPARE(request[QStringLiteral("method")].toString(), QStringLiteral("GET"));
    QCOMPARE(request[QStringLiteral("url")].toString(), m_baseUrl + QStringLiteral("/api/items?page=2"));
    QCOMPARE(request[QStringLiteral("httpVersion")].toString(), QStringLiteral("HTTP/1.1"));
    QCOMPARE(request[QStringLiteral("headersSize")].toInt(), -1);
    const QJsonArray query = request[QStringLiteral("queryString")].toArray();
    QCOMPARE(query.size(), 1);
    QCOMPARE(query.at(0)[QStringLiteral("name")].toString(), QStringLiteral("page"));
    QCOMPARE(query.at(0)[QStringLiteral("value")].toString(), QStringLiteral("2"));
    QCOMPARE(harHeader(request[QStringLiteral("headers")].toArray(), QStringLiteral("x-trace")).toString(), QStringLiteral("7"));
    QCOMPARE(harHeader(request[QStringLiteral("headers")].toArray(), QStringLiteral("authorization")).toString(), QStringLiteral("[redacted]"));
    const QJsonObject response = api[QStringLiteral("response")].toObject();
    QCOMPARE(response[QStringLiteral("status")].toInt(), 200);
    QCOMPARE(response[QStringLiteral("content")][QStringLiteral("mimeType")].toString(), QStringLiteral("application/json"));
    QVERIFY(response[QStringLiteral("content")][QStringLiteral("size")].toInt() > 0);
    QCOMPARE(api[QStringLiteral("_route")].toString(), QStringLiteral("api"));
    QVERIFY(!api[QStringLiteral("_requestId")].toString().isEmpty());
    const QDateTime started = QDateTime::fromString(api[QStringLiteral("startedDateTime")].toString(), Qt::ISODateWithMs);
    QVERIFY2(started.isValid(), qPrintable(api[QStringLiteral("startedDateTime")].toString()));
    QVERIFY(api[QStringLiteral("startedDateTime")].toString().endsWith(u'Z'));
    QVERIFY(qAbs(started.msecsTo(QDateTime::currentDateTimeUtc())) < 120'000);
    // HAR: the entry's time is the sum of its timings that are not -1.
    const QJsonObject timings = api[QStringLiteral("timings")].toObject();
    double sum = 0;
    for (const QString &phase : { QStringLiteral("blocked"), QStringLiteral("dns"), QStringLiteral("connect"),
                                  QStringLiteral("send"), QStringLiteral("wait"), QStringLiteral("receive") }) {
        sum += std::max(0.0, timings[phase].toDouble());
    }
    QVERIFY(qAbs(sum - api[QStringLiteral("time")].toDouble()) < 0.01);

    const QJsonObject missing = entries.at(1).toObject();
    QCOMPARE(missing[QStringLiteral("response")][QStringLiteral("status")].toInt(), 404);
    QCOMPARE(missing[QStringLiteral("response")][QStringLiteral("statusText")].toString(), QStringLiteral("Not Found"));
    QVERIFY(missing[QStringLiteral("_route")].isNull());
    QCOMPARE(missing[QStringLiteral("request")][QStringLiteral("url")].toString(), m_baseUrl + QStringLiteral("/missing"));
}

void TestTrafficView::pauseHoldsTheTableStill()
{
    auto *pause = child<QToolButton>("trafficPause");
    auto *count = child<QLabel>("trafficCount");
    const int before = m_model->rowCount();
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(m_model->isPaused());
    QCOMPARE(pause->text(), QStringLiteral("Resume"));
    QCOMPARE(send("GET", QStringLiteral("/hello")), 200);
    QCOMPARE(send("GET", QStringLiteral("/hello")), 200);
    QTRY_VERIFY_WITH_TIMEOUT(count->text().endsWith(QStringLiteral("paused — 2 not shown")), 5000);
    QCOMPARE(m_model->rowCount(), before);
    QCOMPARE(tableRowOf(QStringLiteral("/hello")), -1);

    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(!m_model->isPaused());
    QCOMPARE(pause->text(), QStringLiteral("Pause"));
    QCOMPARE(send("GET", QStringLiteral("/hello")), 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), before + 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!count->text().contains(QStringLiteral("paused")), 2000);
    QVERIFY(tableRowOf(QStringLiteral("/hello")) >= 0);
}

void TestTrafficView::webSocketSessionShowsBytesEachWay()
{
    engine::TrafficEvent session;
    session.timeMs = QDateTime::currentMSecsSinceEpoch();
    session.requestId = "ws-session-1";
    session.method = "GET";
    session.host = "127.0.0.1";
    session.path = "/ws/chat";
    session.route = QStringLiteral("chat");
    session.status = 101;
    session.totalMs = 4321.5;
    session.upstreamMs = 2.5;
    session.bytesIn = 12345;
    session.bytesOut = 67890;
    m_model->appendBatch({ session });
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(QStringLiteral("/ws/chat")) >= 0, 2000);
    QVERIFY(clickRow(tableRowOf(QStringLiteral("/ws/chat"))));
    const QString overview = child<QTextBrowser>("trafficOverview")->toPlainText();
    const QLocale locale;
    QVERIFY2(overview.contains(QStringLiteral("WebSocket session")), qPrintable(overview));
    QVERIFY2(overview.contains(locale.toString(12345) + QStringLiteral(" B")), qPrintable(overview));
    QVERIFY2(overview.contains(locale.toString(67890) + QStringLiteral(" B")), qPrintable(overview));
    QVERIFY2(overview.contains(QStringLiteral("4321.5 ms")), qPrintable(overview));
    // A hand-made event has no header archive: one row says so instead of an empty list.
    auto *sent = child<QTreeWidget>("trafficRequestHeaders");
    QCOMPARE(sent->topLevelItemCount(), 1);
    QVERIFY(sent->topLevelItem(0)->isFirstColumnSpanned());
    QVERIFY2(sent->topLevelItem(0)->text(0).contains(QStringLiteral("not recorded")), qPrintable(sent->topLevelItem(0)->text(0)));
    // The route seen in traffic joins the route filter.
    QVERIFY(child<QComboBox>("trafficRoute")->findText(QStringLiteral("chat")) > 0);
}

void TestTrafficView::followKeepsTheNewestRowInView()
{
    auto *table = child<QTableView>("trafficTable");
    const auto batch = [](int from) {
        QList<engine::TrafficEvent> events;
        for (int i = from; i < from + 300; ++i) {
            engine::TrafficEvent e;
            e.timeMs = QDateTime::currentMSecsSinceEpoch();
            e.method = "GET";
            e.path = "/bulk/" + QByteArray::number(i);
            e.status = 200;
            events.append(e);
        }
        return events;
    };
    const auto lastRowVisible = [table] {
        const QModelIndex last = table->model()->index(table->model()->rowCount() - 1, 0);
        return table->viewport()->rect().intersects(table->visualRect(last));
    };
    QVERIFY(child<QToolButton>("trafficFollow")->isChecked());
    m_model->appendBatch(batch(0));
    QTRY_VERIFY_WITH_TIMEOUT(lastRowVisible(), 2000);

    QTest::mouseClick(child<QToolButton>("trafficFollow"), Qt::LeftButton);
    table->scrollToTop();
    m_model->appendBatch(batch(300));
    // Once the view's per-batch refresh has run (the count shows the batch), it has not scrolled.
    const QString counted = QLocale().toString(m_model->rowCount()) + QStringLiteral(" requests");
    QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>("trafficCount")->text(), counted, 2000);
    QVERIFY(!lastRowVisible());
    QTest::mouseClick(child<QToolButton>("trafficFollow"), Qt::LeftButton); // on again: jumps to the newest
    QTRY_VERIFY_WITH_TIMEOUT(lastRowVisible(), 2000);
}

void TestTrafficView::clearShowsTheEmptyState()
{
    QTest::mouseClick(child<QToolButton>("trafficClear"), Qt::LeftButton);
    QCOMPARE(m_model->rowCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>("trafficEmpty")->isVisible(), 2000);
    QCOMPARE(child<QLabel>("trafficCount")->text(), QStringLiteral("0 requests"));
    QVERIFY(child<QTextBrowser>("trafficOverview")->toPlainText().startsWith(QStringLiteral("Select a request")));
    QVERIFY(!m_view->findChild<QAction *>(QStringLiteral("actionCopyCurl"))->isEnabled());
    // And the table comes back with the next request.
    QCOMPARE(send("GET", QStringLiteral("/hello")), 200);
    QTRY_VERIFY_WITH_TIMEOUT(child<QTableView>("trafficTable")->isVisible(), 5000);
    QCOMPARE(m_model->rowCount(), 1);
}

// The command as bash sees it: each argument printed on its own line instead of run, so quotes,
// placeholders and skipped headers are checked the way a shell reads them.
void TestTrafficView::curlCommandIsShellSafe()
{
    auto archive = std::make_shared<engine::CaptureArchive>();
    engine::TrafficEvent post;
    post.method = "POST";
    post.path = "/orders?note=it's";
    post.bytesIn = 3;
    post.capture = archive;
    post.requestHeaders = archive->storeHeaders(QList<engine::http::Header> {
        { "Host", "api.shop.test" }, { "Cookie", "session=s3cret" }, { "Connection", "keep-alive, X-Hop" }, { "X-Hop", "1" },
        { "X-Quote", "it's \"$HOME\" `id`" }, { "Content-Length", "3" }, { "Content-Type", "text/plain" },
        { "Authorization", "s3cret" } });
    const QString command = ui::curlCommand(post, QStringLiteral("http://127.0.0.1:8080/"));
    QVERIFY2(!command.contains(QStringLiteral("s3cret")), qPrintable(command));
    // Not captured: said, not guessed.
    QVERIFY2(command.contains(QStringLiteral("# The request's 3-byte body was not captured")), qPrintable(command));
    // Captured as text: sent again, quoted so the shell expands nothing in it.
    const QByteArray body = "it's \"$HOME\" `id`\nline 2";
    post.bytesIn = body.size();
    post.requestBody = archive->store(QByteArrayView(body));
    const QString withBody = ui::curlCommand(post, QStringLiteral("http://127.0.0.1:8080/"));

    QProcess shell;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TOKEN"), QStringLiteral("t0k"));
    environment.insert(QStringLiteral("COOKIE"), QStringLiteral("c=1"));
    shell.setProcessEnvironment(environment);
    const QString printing = QStringLiteral("curl() { printf '%s\\n' \"$@\"; }\n") + withBody;
    shell.start(QStringLiteral("bash"), { QStringLiteral("-c"), printing });
    QVERIFY(shell.waitForFinished(10000)); // no gateway involved: blocking is fine
    QCOMPARE(shell.exitCode(), 0);
    const QStringList args = QString::fromUtf8(shell.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    const QStringList expected { QStringLiteral("-X"), QStringLiteral("POST"), QStringLiteral("http://127.0.0.1:8080/orders?note=it's"),
                                 QStringLiteral("-H"), QStringLiteral("Host: api.shop.test"), // not the listener's: kept
                                 QStringLiteral("-H"), QStringLiteral("Cookie: c=1"),
                                 QStringLiteral("-H"), QStringLiteral("X-Quote: it's \"$HOME\" `id`"),
                                 QStringLiteral("-H"), QStringLiteral("Content-Type: text/plain"),
                                 QStringLiteral("-H"), QStringLiteral("Authorization: t0k"),
                                 QStringLiteral("--data-binary"), QStringLiteral("it's \"$HOME\" `id`"), QStringLiteral("line 2") };
    QCOMPARE(args, expected);

    engine::TrafficEvent head;
    head.method = "HEAD";
    head.path = "/";
    QCOMPARE(ui::curlCommand(head, QStringLiteral("http://127.0.0.1:8080")),
             QStringLiteral("curl --head 'http://127.0.0.1:8080/'\n"
                            "# The request headers are no longer available; only method and path are repeated."));
}

// Content that changes every 10 ms paints about four times a second; a change after a quiet
// spell paints at once.
void TestTrafficView::repaintsAtMostFourTimesASecond()
{
    class Counting final : public QWidget
    {
    public:
        int paints = 0;

    protected:
        void paintEvent(QPaintEvent *) override { ++paints; }
    };
    Counting widget;
    widget.resize(200, 100);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    ui::RepaintLimiter limiter(&widget, std::chrono::milliseconds(250));
    QTest::qWait(300);

    widget.paints = 0;
    limiter.contentChanged();
    widget.update();
    QTRY_COMPARE_WITH_TIMEOUT(widget.paints, 1, 100); // at once: nothing painted lately

    QElapsedTimer busy;
    busy.start();
    while (busy.elapsed() < 1000) {
        limiter.contentChanged();
        widget.update();
        QTest::qWait(10);
    }
    QTest::qWait(300); // the last held change is shown
    QVERIFY2(widget.paints >= 4 && widget.paints <= 7, qPrintable(QString::number(widget.paints)));
    QVERIFY(widget.updatesEnabled());
}

// SPEC §7.1: what token_from reads (here X-Api-Token and ?access_token=) is a credential like
// Authorization: the table, the detail view, the HAR export and copy as curl never show it.
void TestTrafficView::tokenSourcesAreRedacted()
{
    const QByteArray headerSecret = "hdr-secret-4711";
    const QByteArray querySecret = "qry-secret-0815";
    QCOMPARE(send("GET", QStringLiteral("/api/tokens?access_token=") + QString::fromLatin1(querySecret) + QStringLiteral("&page=3"),
                  { { "X-Api-Token", headerSecret } }),
             200);
    const QString shownPath = QStringLiteral("/api/tokens?access_token=[redacted]&page=3");
    QTRY_VERIFY_WITH_TIMEOUT(tableRowOf(shownPath) >= 0, 5000);
    const int row = tableRowOf(shownPath);
    QVERIFY(clickRow(row));
    QTreeWidgetItem *apiToken = headerItem(child<QTreeWidget>("trafficRequestHeaders"), QStringLiteral("X-Api-Token"));
    QVERIFY(apiToken);
    QCOMPARE(apiToken->text(1), QStringLiteral("[redacted]"));
    QVERIFY2(child<QTextBrowser>("trafficOverview")->toPlainText().contains(QStringLiteral("GET ") + shownPath),
             qPrintable(child<QTextBrowser>("trafficOverview")->toPlainText()));
    for (const QString &text : allTexts(*m_view)) {
        QVERIFY2(!text.contains(QString::fromLatin1(headerSecret)) && !text.contains(QString::fromLatin1(querySecret)), qPrintable(text));
    }

    auto *table = child<QTableView>("trafficTable");
    table->selectionModel()->select(table->model()->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString error;
    QVERIFY2(m_view->exportHar(dir.filePath(QStringLiteral("tokens.har")), &error), qPrintable(error));
    QFile file(dir.filePath(QStringLiteral("tokens.har")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray har = file.readAll();
    QVERIFY(!har.contains(headerSecret) && !har.contains(querySecret));
    const QJsonObject request = QJsonDocument::fromJson(har)[QStringLiteral("log")][QStringLiteral("entries")][0][QStringLiteral("request")].toObject();
    QCOMPARE(request[QStringLiteral("url")].toString(), m_baseUrl + shownPath);
    QCOMPARE(harHeader(request[QStringLiteral("headers")].toArray(), QStringLiteral("x-api-token")).toString(), QStringLiteral("[redacted]"));
    const QJsonArray query = request[QStringLiteral("queryString")].toArray();
    QCOMPARE(query.size(), 2);
    QCOMPARE(query.at(0)[QStringLiteral("name")].toString(), QStringLiteral("access_token"));
    QCOMPARE(query.at(0)[QStringLiteral("value")].toString(), QStringLiteral("[redacted]"));

    // Copy as curl: both sent as $TOKEN, and the command works when run with one.
    QVERIFY(clickRow(row));
    QApplication::clipboard()->clear();
    m_view->findChild<QAction *>(QStringLiteral("actionCopyCurl"))->trigger();
    const QString command = QApplication::clipboard()->text();
    QVERIFY2(!command.contains(QString::fromLatin1(headerSecret)) && !command.contains(QString::fromLatin1(querySecret)), qPrintable(command));
    QVERIFY2(command.contains(QStringLiteral("\"X-Api-Token: $TOKEN\"")), qPrintable(command));
    QVERIFY2(command.contains(QStringLiteral("access_token='\"$TOKEN\"'&page=3'")), qPrintable(command));
    QProcess shell;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TOKEN"), QStringLiteral("replayed-token"));
    shell.setProcessEnvironment(environment);
    QSignalSpy finished(&shell, &QProcess::finished);
    shell.start(QStringLiteral("bash"), { QStringLiteral("-c"), command + QStringLiteral(" --silent --show-error --max-time 10") });
    QVERIFY(finished.wait(15000)); // the gateway runs on this thread: wait with the event loop running
    QCOMPARE(shell.exitCode(), 0);
    const QJsonObject echoed = QJsonDocument::fromJson(shell.readAllStandardOutput()).object();
    QCOMPARE(echoed[QStringLiteral("query")].toString(), QStringLiteral("access_token=replayed-token&page=3"));
    QCOMPARE(echoed[QStringLiteral("headers")][QStringLiteral("x-api-token")].toString(), QStringLiteral("replayed-token"));
}

QTEST_MAIN(TestTrafficView)
#include "TestTrafficView.moc"
