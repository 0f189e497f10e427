#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "tests/support/TestSupport.h"
#include "tests/support/UiTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/document/ProfileDocument.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficView.h"

using namespace gatehouse;

// The body preview and the timing breakdown, through the app's window over a real engine and a
// real echo upstream: what the Bodies menu chooses is what the workers keep, and the Body tab,
// copy as curl and the HAR export show it.
class TestTrafficBodies : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void jsonBodiesArePrettyPrinted();
    void gatewayAnswersKeepTheirBody();
    void binaryBodiesAreAHexDump();
    void largeBodiesAreOffByDefault();
    void captureCanBeTurnedOff();
    void curlRepeatsACapturedBody();
    void harCarriesBodiesAndTimings();
    void timingBreakdownAddsUp();
    void headlessEngineKeepsNoBodies();

private:
    // Sends a request through the gateway; the status, or -1 without an answer within 5 s.
    int send(const QByteArray &method, const QString &path, const QByteArray &body = {},
             const QByteArray &contentType = "application/json");
    // Selects the table's row for `path` (the newest such) and shows the Body tab.
    bool select(const QString &path);
    void choose(const char *actionName);
    QString text(const char *name) const;
    template<typename T>
    T *child(const char *name) const { return m_window->findChild<T *>(QString::fromLatin1(name)); }

    test::GatehouseProcess m_echo;
    std::unique_ptr<engine::Gateway> m_gateway;
    std::unique_ptr<ui::MainWindow> m_window;
    QNetworkAccessManager m_manager;
    QString m_baseUrl;
};

void TestTrafficBodies::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("GatehouseTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst-traffic-bodies"));
    QSettings().clear(); // the Bodies menu starts at its defaults
    QVERIFY2(m_echo.startEcho(QStringLiteral("bodies-echo")), m_echo.stderrText().constData());
    QByteArray yaml = "gatehouse: 1\n"
                      "listen:\n"
                      "  - bind: 127.0.0.1:0\n"
                      "upstreams:\n"
                      "  - name: echo\n"
                      "    targets: [{ url: \"@ECHO@\" }]\n"
                      "routes:\n"
                      "  - name: api\n"
                      "    match: { path: /api }\n"
                      "    upstream: echo\n"
                      "  - name: slow\n"
                      "    match: { path: /slow }\n"
                      "    upstream: echo\n"
                      "    fault: { delay: 120ms, delay_percent: 100 }\n"
                      "  - name: hello\n"
                      "    match: { path_exact: /hello }\n"
                      "    respond: { status: 200, headers: { Content-Type: text/plain }, body: hi there }\n";
    yaml.replace("@ECHO@", m_echo.url().toLatin1());
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("<bodies>"), QString());
    QVERIFY(read.ok());
    m_gateway = std::make_unique<engine::Gateway>();
    m_gateway->setObserved(true); // as the app's main does
    m_window = std::make_unique<ui::MainWindow>(*m_gateway);
    m_window->resize(1280, 860);
    m_window->show();
    m_window->document()->reset(*read.profile);
    QVERIFY(m_gateway->isRunning());
    m_baseUrl = m_gateway->listeners().first().url();
    m_window->showPage(ui::MainWindow::Traffic);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestTrafficBodies::init()
{
    choose("bodyLimit65536");
    if (child<QAction>("bodyKeepStart")->isChecked()) {
        choose("bodyKeepStart");
    }
}

void TestTrafficBodies::cleanupTestCase()
{
    if (m_gateway) {
        QVERIFY(test::stopGateway(*m_gateway));
    }
    m_window.reset();
}

int TestTrafficBodies::send(const QByteArray &method, const QString &path, const QByteArray &body, const QByteArray &contentType)
{
    return test::statusOf(m_manager, method, m_baseUrl + path, body.isEmpty() ? test::HeaderPairs {} : test::HeaderPairs { { "Content-Type", contentType } },
                          body);
}

bool TestTrafficBodies::select(const QString &path)
{
    auto *table = child<QTableView>("trafficTable");
    const QAbstractItemModel *shown = table->model();
    int found = -1;
    // Requests reach the table in the workers' batches, every 100-200 ms.
    for (int waited = 0; found < 0 && waited < 5000; waited += 50) {
        for (int row = 0; row < shown->rowCount(); ++row) {
            if (shown->index(row, ui::TrafficModel::Path).data().toString() == path) {
                found = row; // keep looking: the newest is lowest
            }
        }
        if (found < 0) {
            QTest::qWait(50);
        }
    }
    if (found < 0) {
        return false;
    }
    const QModelIndex index = shown->index(found, ui::TrafficModel::Path);
    table->scrollTo(index);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
    auto *detail = child<QTabWidget>("trafficDetail");
    detail->setCurrentIndex(detail->count() - 1); // Body
    return table->currentIndex().row() == found;
}

void TestTrafficBodies::choose(const char *actionName)
{
    auto *button = child<QToolButton>("trafficBodies");
    QVERIFY(button && button->menu());
    QAction *action = button->menu()->findChild<QAction *>(QString::fromLatin1(actionName));
    QVERIFY2(action, actionName);
    action->trigger();
}

QString TestTrafficBodies::text(const char *name) const
{
    if (const auto *label = child<QLabel>(name)) {
        return label->text();
    }
    const auto *edit = child<QPlainTextEdit>(name);
    return edit ? edit->toPlainText() : QStringLiteral("<no %1>").arg(QString::fromLatin1(name));
}

void TestTrafficBodies::jsonBodiesArePrettyPrinted()
{
    QCOMPARE(send("POST", QStringLiteral("/api/orders"), R"({"item":"widget","qty":3})"), 200);
    QVERIFY(select(QStringLiteral("/api/orders")));
    QVERIFY2(text("trafficRequestBodySummary").startsWith(QStringLiteral("25 bytes, application/json")), qPrintable(text("trafficRequestBodySummary")));
    QCOMPARE(text("trafficRequestBody"), QStringLiteral("{\n    \"item\": \"widget\",\n    \"qty\": 3\n}\n"));
    // The echo's answer describes what it received: the same 25 bytes.
    const QString answered = text("trafficResponseBody");
    QVERIFY2(answered.contains(QStringLiteral("\"body_length\": 25")), qPrintable(answered));
    QVERIFY2(answered.contains(QStringLiteral("\"name\": \"bodies-echo\"")), qPrintable(answered));
    QVERIFY(child<QPlainTextEdit>("trafficResponseBody")->isVisible());
}

void TestTrafficBodies::gatewayAnswersKeepTheirBody()
{
    QCOMPARE(send("GET", QStringLiteral("/hello")), 200);
    QVERIFY(select(QStringLiteral("/hello")));
    QCOMPARE(text("trafficRequestBodySummary"), QStringLiteral("No request body."));
    QVERIFY(!child<QPlainTextEdit>("trafficRequestBody")->isVisible());
    QCOMPARE(text("trafficResponseBody"), QStringLiteral("hi there"));
    QCOMPARE(text("trafficResponseBodySummary"), QStringLiteral("8 bytes, text/plain"));

    // The gateway's own errors too: the JSON a 404 sends.
    QCOMPARE(send("GET", QStringLiteral("/nowhere")), 404);
    QVERIFY(select(QStringLiteral("/nowhere")));
    QVERIFY2(text("trafficResponseBody").contains(QStringLiteral("\"error\": \"not_found\"")), qPrintable(text("trafficResponseBody")));
}

void TestTrafficBodies::binaryBodiesAreAHexDump()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i) {
        bytes.append(char(i));
    }
    QCOMPARE(send("PUT", QStringLiteral("/api/blob"), bytes, "application/octet-stream"), 200);
    QVERIFY(select(QStringLiteral("/api/blob")));
    const QString dump = text("trafficRequestBody");
    QVERIFY2(dump.startsWith(QStringLiteral("00000000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  ................\n")), qPrintable(dump));
    QVERIFY2(dump.contains(QStringLiteral("00000040  40 41 42 43")), qPrintable(dump));
    QCOMPARE(dump.count(u'\n'), 16);
}

// A body over the limit is streamed through untouched and not kept, unless asked; then its start.
void TestTrafficBodies::largeBodiesAreOffByDefault()
{
    QByteArray large(100 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < large.size(); ++i) {
        large[i] = char('a' + i % 26);
    }
    QCOMPARE(send("POST", QStringLiteral("/api/large-1"), large, "text/plain"), 200);
    QVERIFY(select(QStringLiteral("/api/large-1")));
    QVERIFY2(text("trafficRequestBodySummary").contains(QStringLiteral("not captured: larger than the 64 KiB capture limit")),
             qPrintable(text("trafficRequestBodySummary")));
    QVERIFY(!child<QPlainTextEdit>("trafficRequestBody")->isVisible());

    choose("bodyKeepStart");
    QVERIFY(child<QAction>("bodyKeepStart")->isChecked());
    QCOMPARE(send("POST", QStringLiteral("/api/large-2"), large, "text/plain"), 200);
    QVERIFY(select(QStringLiteral("/api/large-2")));
    QVERIFY2(text("trafficRequestBodySummary").contains(QStringLiteral("(showing the first 64 KiB)")), qPrintable(text("trafficRequestBodySummary")));
    QCOMPARE(text("trafficRequestBody"), QString::fromLatin1(large.first(64 * 1024)));

    // A larger limit keeps it whole; the choice is remembered for the next launch.
    choose("bodyLimit1048576");
    QCOMPARE(send("POST", QStringLiteral("/api/large-3"), large, "text/plain"), 200);
    QVERIFY(select(QStringLiteral("/api/large-3")));
    QCOMPARE(text("trafficRequestBody").size(), large.size());
    QCOMPARE(QSettings().value(QStringLiteral("traffic/bodyCaptureLimit")).toLongLong(), 1024 * 1024);
}

void TestTrafficBodies::captureCanBeTurnedOff()
{
    choose("bodyLimit0");
    QVERIFY(!child<QAction>("bodyKeepStart")->isEnabled());
    QCOMPARE(send("POST", QStringLiteral("/api/quiet"), R"({"secret":"kept out"})"), 200);
    QVERIFY(select(QStringLiteral("/api/quiet")));
    QVERIFY2(text("trafficRequestBodySummary").contains(QStringLiteral("body capture is off")), qPrintable(text("trafficRequestBodySummary")));
    QVERIFY(!child<QPlainTextEdit>("trafficRequestBody")->isVisible());
}

// Copy as curl sends a captured text body again: the echo gets the same bytes.
void TestTrafficBodies::curlRepeatsACapturedBody()
{
    const QByteArray body = "{\"note\":\"it's a 'quoted' body\",\n\"n\":1}";
    QCOMPARE(send("POST", QStringLiteral("/api/replay"), body), 200);
    QVERIFY(select(QStringLiteral("/api/replay")));
    QApplication::clipboard()->clear();
    QAction *copy = m_window->findChild<QAction *>(QStringLiteral("actionCopyCurl"));
    QVERIFY(copy && copy->isEnabled());
    copy->trigger();
    const QString command = QApplication::clipboard()->text();
    QVERIFY2(command.contains(QStringLiteral("--data-binary ")), qPrintable(command));

    // The engine accepts on this thread: wait in the event loop, never in waitForFinished().
    QProcess shell;
    QSignalSpy exited(&shell, &QProcess::finished);
    shell.start(QStringLiteral("bash"), { QStringLiteral("-c"), command + QStringLiteral(" --silent") });
    QVERIFY(exited.wait(10000));
    const QJsonObject echoed = QJsonDocument::fromJson(shell.readAllStandardOutput()).object();
    QCOMPARE(echoed.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(echoed.value(QStringLiteral("body_length")).toInt(), int(body.size()));
    QCOMPARE(echoed.value(QStringLiteral("body_sha256")).toString(),
             QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex()));
}

void TestTrafficBodies::harCarriesBodiesAndTimings()
{
    QByteArray binary("\x00\xff\x10 binary", 10);
    QCOMPARE(send("POST", QStringLiteral("/api/har-text"), R"({"a":1})"), 200);
    QCOMPARE(send("PUT", QStringLiteral("/api/har-binary"), binary, "application/octet-stream"), 200);
    // Both rows first: the two requests may be served by different workers, whose batches reach
    // the table on alternate ticks.
    QVERIFY(select(QStringLiteral("/api/har-binary")));
    QVERIFY(select(QStringLiteral("/api/har-text")));
    auto *table = child<QTableView>("trafficTable");
    table->selectAll();
    auto *view = m_window->findChild<ui::TrafficView *>(QStringLiteral("trafficView"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bodies.har"));
    QVERIFY(view->exportHar(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray entries = QJsonDocument::fromJson(file.readAll()).object()[QStringLiteral("log")][QStringLiteral("entries")].toArray();
    QJsonObject text;
    QJsonObject blob;
    for (const QJsonValue &entry : entries) {
        const QString url = entry[QStringLiteral("request")][QStringLiteral("url")].toString();
        if (url.endsWith(QStringLiteral("/api/har-text"))) {
            text = entry.toObject();
        } else if (url.endsWith(QStringLiteral("/api/har-binary"))) {
            blob = entry.toObject();
        }
    }
    QVERIFY(!text.isEmpty() && !blob.isEmpty());
    QCOMPARE(text[QStringLiteral("request")][QStringLiteral("postData")][QStringLiteral("text")].toString(), QStringLiteral(R"({"a":1})"));
    QCOMPARE(text[QStringLiteral("request")][QStringLiteral("postData")][QStringLiteral("mimeType")].toString(), QStringLiteral("application/json"));
    const QJsonObject content = text[QStringLiteral("response")][QStringLiteral("content")].toObject();
    QVERIFY(QJsonDocument::fromJson(content[QStringLiteral("text")].toString().toUtf8()).object().contains(QStringLiteral("body_sha256")));
    // Binary: no postData (HAR has no encoding for it); a binary response would be base64.
    QVERIFY(!blob[QStringLiteral("request")].toObject().contains(QStringLiteral("postData")));

    const QJsonObject timings = text[QStringLiteral("timings")].toObject();
    QVERIFY(timings[QStringLiteral("blocked")].toDouble() >= 0);
    QVERIFY(timings[QStringLiteral("connect")].toDouble() >= 0);
    double sum = 0;
    for (const QString &phase : { QStringLiteral("blocked"), QStringLiteral("dns"), QStringLiteral("connect"), QStringLiteral("send"),
                                  QStringLiteral("wait"), QStringLiteral("receive") }) {
        sum += std::max(0.0, timings[phase].toDouble());
    }
    QVERIFY2(qAbs(sum - text[QStringLiteral("time")].toDouble()) < 0.01,
             QJsonDocument(timings).toJson(QJsonDocument::Compact).constData());
}

// The overview's timing rows: a route's fault delay is queue time, not upstream time.
void TestTrafficBodies::timingBreakdownAddsUp()
{
    QCOMPARE(send("GET", QStringLiteral("/slow/x")), 200);
    QVERIFY(select(QStringLiteral("/slow/x")));
    const QString overview = child<QTextBrowser>("trafficOverview")->toPlainText();
    static const QRegularExpression queueRow(QStringLiteral("Queue\\n([0-9.]+) ms"));
    static const QRegularExpression upstreamRow(QStringLiteral("Upstream\\n([0-9.]+) ms"));
    const QRegularExpressionMatch queue = queueRow.match(overview);
    const QRegularExpressionMatch upstream = upstreamRow.match(overview);
    QVERIFY2(queue.hasMatch() && upstream.hasMatch(), qPrintable(overview));
    QVERIFY2(queue.captured(1).toDouble() >= 120, qPrintable(overview));
    QVERIFY2(upstream.captured(1).toDouble() < 120, qPrintable(overview));
    QVERIFY2(overview.contains(QStringLiteral("Connect\n")), qPrintable(overview));
    QVERIFY2(overview.contains(QStringLiteral("Transfer\n")), qPrintable(overview));
}

// `gatehouse serve` and an engine nobody asked for bodies keep none, whatever passes through.
void TestTrafficBodies::headlessEngineKeepsNoBodies()
{
    const profile::ReadResult read = profile::readProfile(
        "gatehouse: 1\nlisten: [{ bind: 127.0.0.1:0 }]\nupstreams: [{ name: echo, targets: [{ url: \"" + m_echo.url().toLatin1()
            + "\" }] }]\nroutes: [{ name: api, match: { path: /api }, upstream: echo }]\n"
              "admin: { bind: 127.0.0.1:0, token: env:GATEHOUSE_TEST_ADMIN_TOKEN }\n",
        QStringLiteral("<headless>"), QString());
    QVERIFY2(read.ok(), qPrintable(read.problems.isEmpty() ? QString() : read.problems.first().message));
    qputenv("GATEHOUSE_TEST_ADMIN_TOKEN", "bodies-test-admin-token");
    engine::Gateway headless;
    QSignalSpy batches(&headless, &engine::Gateway::trafficBatch);
    QVERIFY(headless.start(*read.profile));
    QNetworkReply *reply = m_manager.post(QNetworkRequest(QUrl(headless.listeners().first().url() + QStringLiteral("/api/x"))),
                                          QByteArray("{\"password\":\"hunter2\"}"));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(5000));
    reply->deleteLater();
    QTRY_VERIFY_WITH_TIMEOUT(!batches.isEmpty(), 3000);
    const auto events = batches.first().first().value<QList<engine::TrafficEvent>>();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().bytesIn, 22);
    QVERIFY(events.first().requestHeaders.start >= 0); // the admin API keeps headers…
    QCOMPARE(events.first().requestBody.start, qint64(-1)); // …never bodies
    QCOMPARE(events.first().responseBody.start, qint64(-1));
    QVERIFY(test::stopGateway(headless));
}

QTEST_MAIN(TestTrafficBodies)
#include "TestTrafficBodies.moc"
