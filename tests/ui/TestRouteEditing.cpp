// Route editing over a real running engine and a real `gatehouse echo` upstream: the form
// validates as you type with exactly the reader's messages; an added route serves at once while a
// keep-alive connection opened before stays up; editing, duplicating, moving, disabling and
// deleting routes each take effect on the next request and undo in one step; an empty profile
// offers its first route. The route list model is checked by QAbstractItemModelTester throughout.
// The form is driven through RoutesPage's editor seam: no modal exec(), no nested event loop.

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <utility>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTcpSocket>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "engine/profile/Values.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TestSupport.h"
#include "tests/support/UiTestSupport.h"
#include "ui/document/ProfileDocument.h"
#include "ui/routes/RouteDialog.h"
#include "ui/routes/RouteListModel.h"
#include "ui/routes/RoutesPage.h"

using namespace gatehouse;
using test::okButton;
using ui::RouteListModel;

namespace {

template<typename T>
T *child(const QObject &root, const char *name)
{
    return root.findChild<T *>(QString::fromLatin1(name));
}

QStringList strings(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items) {
        out.append(QString::fromLatin1(item));
    }
    return out;
}

QStringList routeNames(const profile::Profile &profile)
{
    QStringList names;
    for (const profile::Route &route : profile.routes) {
        names.append(route.name);
    }
    return names;
}

const profile::Route *findRoute(const profile::Profile &profile, const QString &name)
{
    for (const profile::Route &route : profile.routes) {
        if (route.name == name) {
            return &route;
        }
    }
    return nullptr;
}

const profile::Upstream *findUpstream(const profile::Profile &profile, const QString &name)
{
    for (const profile::Upstream &upstream : profile.upstreams) {
        if (upstream.name == name) {
            return &upstream;
        }
    }
    return nullptr;
}

// Replaces a line edit's text the way a user does: select all, then type.
void retype(QLineEdit *edit, const QString &text)
{
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

// One whole HTTP/1.1 response (Content-Length or chunked) at the start of `raw`.
bool isCompleteResponse(const QByteArray &raw)
{
    const qsizetype headEnd = raw.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        return false;
    }
    const QList<test::HttpResponse> responses = test::parseResponses(raw);
    if (responses.isEmpty()) {
        return false;
    }
    const test::HttpResponse &response = responses.first();
    if (response.header("transfer-encoding").toLower() == "chunked") {
        return raw.endsWith("0\r\n\r\n");
    }
    return response.body.size() >= response.header("content-length").toLongLong();
}

} // namespace

class TestRouteEditing : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void formValidatesAsYouType();
    void addedRouteServesWithoutDroppingConnections();
    void editedRouteMovesToItsNewPath();
    void duplicateMoveDisableAndDelete();
    void emptyStateOffersTheFirstRoute();

private:
    // The page's editor seam: a real RouteDialog, filled by m_fill, never exec()'d.
    std::optional<profile::Profile> runDialog(QWidget *parent, const profile::Profile &current, int index);
    int get(const QString &path, QJsonObject *echo = nullptr);
    // A request on the keep-alive connection opened before the edits; its status, or -1.
    int getOnKeepAlive(const QByteArray &path, QJsonObject *echo = nullptr);
    bool clickAction(const char *name);
    bool selectRow(const QString &route);
    QString undoText() const { return m_document->undoStack()->undoText(); }

    test::GatehouseProcess m_echo;
    std::unique_ptr<engine::Gateway> m_gateway;
    std::unique_ptr<ui::ProfileDocument> m_document;
    std::unique_ptr<ui::RoutesPage> m_page;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QTcpSocket> m_keepAlive;
    QNetworkAccessManager m_manager;
    QString m_baseUrl;
    std::function<void(ui::RouteDialog &)> m_fill;
    int m_dialogsOpened = 0;
    int m_dialogIndex = -2;
};

void TestRouteEditing::initTestCase()
{
    QVERIFY2(m_echo.startEcho(QStringLiteral("routes-echo")), m_echo.stderrText().constData());
    const QByteArray routes = "  - name: hello\n"
                              "    match: { path_exact: /hello }\n"
                              "    respond: { status: 200, body: hi }\n";
    const profile::ReadResult read = profile::readProfile(test::echoProfile("route-editing", m_echo.url(), routes),
                                                          QStringLiteral("<route-editing>"), QString());
    QVERIFY(read.ok());

    m_document = std::make_unique<ui::ProfileDocument>();
    m_document->reset(*read.profile);
    m_gateway = std::make_unique<engine::Gateway>();
    QVERIFY(m_gateway->start(m_document->profile()));
    m_baseUrl = m_gateway->listeners().first().url();
    // As the app does: every accepted edit, undo and redo goes to the running engine at once.
    connect(m_document.get(), &ui::ProfileDocument::changed, m_gateway.get(), [this] {
        QVERIFY2(m_gateway->apply(m_document->profile()), qPrintable(m_gateway->lastError().messages.join(u'\n')));
    });

    m_page = std::make_unique<ui::RoutesPage>(*m_document, [this](QWidget *parent, const profile::Profile &current, int index) {
        return runDialog(parent, current, index);
    });
    m_tester = std::make_unique<QAbstractItemModelTester>(m_page->model());
    m_page->resize(1000, 500);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
}

void TestRouteEditing::cleanupTestCase()
{
    m_keepAlive.reset();
    m_tester.reset();
    m_page.reset();
    if (m_gateway && m_gateway->isRunning()) {
        QVERIFY(test::stopGateway(*m_gateway));
    }
    m_echo.terminate(5000);
}

std::optional<profile::Profile> TestRouteEditing::runDialog(QWidget *parent, const profile::Profile &current, int index)
{
    ++m_dialogsOpened;
    m_dialogIndex = index;
    ui::RouteDialog dialog(current, index, parent);
    dialog.show();
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    if (const auto fill = std::exchange(m_fill, {})) {
        fill(dialog);
    }
    if (accepted.isEmpty()) {
        return std::nullopt;
    }
    return dialog.result();
}

int TestRouteEditing::get(const QString &path, QJsonObject *echo)
{
    QNetworkRequest request(QUrl(m_baseUrl + path));
    // A new connection per request: it reaches a worker after the new profile did, so "the next
    // request" is well defined. The keep-alive connection is tested on its own.
    request.setRawHeader("Connection", "close");
    QNetworkReply *reply = m_manager.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    const bool done = reply->isFinished() || finished.wait(5000);
    const int status = done ? reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : -1;
    if (echo) {
        *echo = QJsonDocument::fromJson(reply->readAll()).object();
    }
    reply->deleteLater();
    return status;
}

int TestRouteEditing::getOnKeepAlive(const QByteArray &path, QJsonObject *echo)
{
    if (!m_keepAlive || m_keepAlive->state() != QAbstractSocket::ConnectedState) {
        return -1;
    }
    m_keepAlive->write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray raw;
    // Waits with the event loop running: the gateway's listener lives on this thread.
    const bool complete = QTest::qWaitFor(
        [&] {
            raw += m_keepAlive->readAll();
            return isCompleteResponse(raw);
        },
        5000);
    if (!complete) {
        return -1;
    }
    const test::HttpResponse response = test::parseResponses(raw).first();
    if (echo) {
        *echo = QJsonDocument::fromJson(response.body).object();
    }
    return response.status;
}

bool TestRouteEditing::clickAction(const char *name)
{
    auto *toolbar = child<QToolBar>(*m_page, "routesToolbar");
    auto *action = child<QAction>(*m_page, name);
    QWidget *button = toolbar && action ? toolbar->widgetForAction(action) : nullptr;
    if (!button || !button->isEnabled()) {
        return false;
    }
    QTest::mouseClick(button, Qt::LeftButton);
    return true;
}

bool TestRouteEditing::selectRow(const QString &route)
{
    const int row = m_page->model()->rowOf(route);
    if (row < 0) {
        return false;
    }
    QTableView *table = m_page->table();
    const QRect rect = table->visualRect(m_page->model()->index(row, RouteListModel::Name));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    return m_page->currentRow() == row;
}

void TestRouteEditing::formValidatesAsYouType()
{
    const profile::Profile before = m_document->profile();
    const int undoBefore = m_document->undoStack()->index();
    QString badUrlMessage;
    QVERIFY(!profile::parseTargetUrl(u"127.0.0.1:9", &badUrlMessage));

    m_fill = [&](ui::RouteDialog &dialog) {
        auto *name = child<QLineEdit>(dialog, "routeName");
        auto *path = child<QLineEdit>(dialog, "routePath");
        auto *upstream = child<QComboBox>(dialog, "routeUpstream");
        auto *newName = child<QLineEdit>(dialog, "newUpstreamName");
        auto *newUrl = child<QLineEdit>(dialog, "newUpstreamUrl");
        auto *problems = child<QLabel>(dialog, "routeProblems");
        QPushButton *ok = okButton(dialog);
        QVERIFY(name && path && upstream && newName && newUrl && problems && ok);
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Add route"));
        QVERIFY(child<QCheckBox>(dialog, "routeEnabled")->isChecked());
        QCOMPARE(upstream->currentText(), QStringLiteral("echo")); // the first upstream is offered
        QCOMPARE(upstream->itemText(upstream->count() - 1), QStringLiteral("New upstream…"));
        QVERIFY(!newName->isVisible());

        QVERIFY(!ok->isEnabled()); // no name yet
        QVERIFY(problems->isVisible());
        QTest::keyClicks(path, QStringLiteral("/orders"));
        QTest::keyClicks(name, QStringLiteral("hello"));
        QVERIFY(!ok->isEnabled());
        QVERIFY2(problems->text().contains(QStringLiteral("duplicate route name 'hello'")), qPrintable(problems->text()));
        QCOMPARE(problems->text(), dialog.problems().join(u'\n'));
        QCOMPARE(dialog.problems(), ui::ProfileDocument::problemsOf(dialog.result())); // the reader's own words

        retype(name, QStringLiteral("orders"));
        QVERIFY2(ok->isEnabled(), qPrintable(problems->text()));
        QVERIFY(!problems->isVisible());

        upstream->setCurrentIndex(upstream->count() - 1);
        QVERIFY(newName->isVisible() && newUrl->isVisible());
        QVERIFY(!ok->isEnabled()); // the new upstream has no name or URL yet
        QTest::keyClicks(newName, QStringLiteral("orders"));
        QTest::keyClicks(newUrl, QStringLiteral("127.0.0.1:9"));
        QVERIFY(!ok->isEnabled());
        QVERIFY2(problems->text().contains(badUrlMessage), qPrintable(problems->text()));

        retype(newUrl, QStringLiteral("http://127.0.0.1:9"));
        QVERIFY2(ok->isEnabled(), qPrintable(problems->text()));
        QTest::mouseClick(ok, Qt::LeftButton);
    };
    QVERIFY(clickAction("actionAddRoute"));
    QCOMPARE(m_dialogsOpened, 1);
    QCOMPARE(m_dialogIndex, -1);
    QVERIFY(!QTest::currentTestFailed());

    const profile::Profile &after = m_document->profile();
    const profile::Route *orders = findRoute(after, QStringLiteral("orders"));
    QVERIFY(orders);
    QCOMPARE(orders->match.path, QStringLiteral("/orders"));
    QCOMPARE(orders->upstream, QStringLiteral("orders"));
    const profile::Upstream *upstream = findUpstream(after, QStringLiteral("orders"));
    QVERIFY(upstream);
    QCOMPARE(upstream->targets.size(), 1);
    QCOMPARE(upstream->targets.first().url, QStringLiteral("http://127.0.0.1:9"));
    QCOMPARE(upstream->targets.first().port, quint16(9));
    QCOMPARE(undoText(), QStringLiteral("Add route orders"));
    QCOMPARE(m_document->undoStack()->index(), undoBefore + 1);
    QCOMPARE(m_page->currentRow(), m_page->model()->rowOf(QStringLiteral("orders")));

    m_document->undoStack()->undo(); // the route and its new upstream go in one step
    QVERIFY(!findRoute(m_document->profile(), QStringLiteral("orders")));
    QVERIFY(!findUpstream(m_document->profile(), QStringLiteral("orders")));
    QVERIFY(m_document->profile().sameContent(before));

    // Cancelling changes nothing.
    m_fill = [](ui::RouteDialog &dialog) {
        QTest::keyClicks(child<QLineEdit>(dialog, "routeName"), QStringLiteral("never"));
        QTest::mouseClick(child<QDialogButtonBox>(dialog, "buttonBox")->button(QDialogButtonBox::Cancel), Qt::LeftButton);
    };
    QVERIFY(clickAction("actionAddRoute"));
    QVERIFY(m_document->profile().sameContent(before));
    QCOMPARE(m_document->undoStack()->index(), undoBefore);
}

void TestRouteEditing::addedRouteServesWithoutDroppingConnections()
{
    m_keepAlive = std::make_unique<QTcpSocket>();
    m_keepAlive->connectToHost(QHostAddress::LocalHost, m_gateway->listeners().first().port);
    QVERIFY(QTest::qWaitFor([this] { return m_keepAlive->state() == QAbstractSocket::ConnectedState; }, 5000));
    QCOMPARE(getOnKeepAlive("/hello"), 200);
    QCOMPARE(get(QStringLiteral("/api/users/42")), 404);

    QSignalSpy applied(m_gateway.get(), &engine::Gateway::profileApplied);
    m_fill = [](ui::RouteDialog &dialog) {
        QTest::keyClicks(child<QLineEdit>(dialog, "routeName"), QStringLiteral("users"));
        QTest::keyClicks(child<QLineEdit>(dialog, "routePath"), QStringLiteral("/api/users"));
        auto *upstream = child<QComboBox>(dialog, "routeUpstream");
        upstream->setCurrentIndex(upstream->findText(QStringLiteral("echo")));
        QTest::mouseClick(child<QToolButton>(dialog, "routeMethod_GET"), Qt::LeftButton);
        QTest::mouseClick(child<QToolButton>(dialog, "routeMethod_POST"), Qt::LeftButton);
        QPushButton *ok = okButton(dialog);
        QVERIFY2(ok->isEnabled(), qPrintable(dialog.problems().join(u'\n')));
        QTest::mouseClick(ok, Qt::LeftButton);
    };
    QVERIFY(clickAction("actionAddRoute"));
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(undoText(), QStringLiteral("Add route users"));
    QCOMPARE(applied.count(), 1);

    QJsonObject echo;
    QCOMPARE(get(QStringLiteral("/api/users/42"), &echo), 200);
    QCOMPARE(echo.value(QStringLiteral("path")).toString(), QStringLiteral("/api/users/42"));
    QCOMPARE(echo.value(QStringLiteral("name")).toString(), QStringLiteral("routes-echo"));

    // The connection opened before the edit is still up, and now reaches the new route.
    QCOMPARE(m_keepAlive->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(getOnKeepAlive("/api/users/7", &echo), 200);
    QCOMPARE(echo.value(QStringLiteral("path")).toString(), QStringLiteral("/api/users/7"));

    const int row = m_page->model()->rowOf(QStringLiteral("users"));
    QCOMPARE(m_page->model()->index(row, RouteListModel::Match).data().toString(), QStringLiteral("GET,POST /api/users*"));
    QCOMPARE(m_page->model()->index(row, RouteListModel::Target).data().toString(), QStringLiteral("→ echo"));
    QCOMPARE(m_page->model()->index(row, RouteListModel::Auth).data().toString(), QStringLiteral("public"));
    QCOMPARE(m_page->model()->index(row, RouteListModel::Enabled).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
}

void TestRouteEditing::editedRouteMovesToItsNewPath()
{
    QTableView *table = m_page->table();
    const int row = m_page->model()->rowOf(QStringLiteral("users"));
    QVERIFY(row >= 0);
    const int opened = m_dialogsOpened;
    m_fill = [](ui::RouteDialog &dialog) {
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Edit route"));
        auto *path = child<QLineEdit>(dialog, "routePath");
        QCOMPARE(child<QLineEdit>(dialog, "routeName")->text(), QStringLiteral("users"));
        QCOMPARE(path->text(), QStringLiteral("/api/users"));
        QCOMPARE(child<QComboBox>(dialog, "routePathKind")->currentIndex(), 0);
        QCOMPARE(child<QComboBox>(dialog, "routeUpstream")->currentText(), QStringLiteral("echo"));
        QVERIFY(child<QToolButton>(dialog, "routeMethod_GET")->isChecked());
        QVERIFY(!child<QToolButton>(dialog, "routeMethod_PUT")->isChecked());
        QCOMPARE(child<QLineEdit>(dialog, "routeTimeout")->text(), QStringLiteral("30s"));

        // A timeout that is not a duration is refused with the reader's wording.
        retype(child<QLineEdit>(dialog, "routeTimeout"), QStringLiteral("5"));
        QVERIFY(!okButton(dialog)->isEnabled());
        QVERIFY2(child<QLabel>(dialog, "routeProblems")->text().startsWith(QStringLiteral("'timeout': ")),
                 qPrintable(child<QLabel>(dialog, "routeProblems")->text()));
        retype(child<QLineEdit>(dialog, "routeTimeout"), QStringLiteral("5s"));

        retype(path, QStringLiteral("/v2/users"));
        QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(dialog.problems().join(u'\n')));
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    };
    const QRect rect = table->visualRect(m_page->model()->index(row, RouteListModel::Match));
    // A widget double click in QTest is only the DblClick event; a real one starts with a click.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(m_dialogsOpened, opened + 1);
    QCOMPARE(m_dialogIndex, row);
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(undoText(), QStringLiteral("Edit route users"));
    QCOMPARE(qint64(findRoute(m_document->profile(), QStringLiteral("users"))->timeout.count()), qint64(5000));

    QJsonObject echo;
    QCOMPARE(get(QStringLiteral("/v2/users/1"), &echo), 200);
    QCOMPARE(echo.value(QStringLiteral("path")).toString(), QStringLiteral("/v2/users/1"));
    QCOMPARE(get(QStringLiteral("/api/users/1")), 404);

    m_document->undoStack()->undo();
    QCOMPARE(get(QStringLiteral("/api/users/1"), &echo), 200);
    QCOMPARE(echo.value(QStringLiteral("path")).toString(), QStringLiteral("/api/users/1"));
    QCOMPARE(get(QStringLiteral("/v2/users/1")), 404);
    QCOMPARE(getOnKeepAlive("/api/users/3"), 200);
}

void TestRouteEditing::duplicateMoveDisableAndDelete()
{
    const auto names = [this] { return routeNames(m_document->profile()); };
    const QStringList start { QStringLiteral("hello"), QStringLiteral("users") };
    QCOMPARE(names(), start);

    QVERIFY(selectRow(QStringLiteral("users")));
    QVERIFY(clickAction("actionDuplicateRoute"));
    QCOMPARE(undoText(), QStringLiteral("Duplicate route users"));
    QCOMPARE(names(), strings({ "hello", "users", "users-copy" }));
    QCOMPARE(m_page->currentRow(), 2); // the copy is selected
    QVERIFY(selectRow(QStringLiteral("users")));
    QVERIFY(clickAction("actionDuplicateRoute"));
    QCOMPARE(names(), strings({ "hello", "users", "users-copy-2", "users-copy" }));
    const profile::Route *copy = findRoute(m_document->profile(), QStringLiteral("users-copy-2"));
    QCOMPARE(copy->match.path, QStringLiteral("/api/users"));
    QCOMPARE(copy->upstream, QStringLiteral("echo"));

    QCOMPARE(m_page->currentRow(), 2);
    QVERIFY(clickAction("actionMoveRouteUp"));
    QCOMPARE(undoText(), QStringLiteral("Move route users-copy-2 up"));
    QCOMPARE(names(), strings({ "hello", "users-copy-2", "users", "users-copy" }));
    QCOMPARE(m_page->currentRow(), 1); // the moved route stays selected
    QVERIFY(clickAction("actionMoveRouteDown"));
    QCOMPARE(undoText(), QStringLiteral("Move route users-copy-2 down"));
    QCOMPARE(names(), strings({ "hello", "users", "users-copy-2", "users-copy" }));
    QVERIFY(selectRow(QStringLiteral("hello")));
    QVERIFY(!child<QAction>(*m_page, "actionMoveRouteUp")->isEnabled());
    QVERIFY(selectRow(QStringLiteral("users-copy")));
    QVERIFY(!child<QAction>(*m_page, "actionMoveRouteDown")->isEnabled());

    QVERIFY(clickAction("actionDeleteRoute"));
    QCOMPARE(undoText(), QStringLiteral("Delete route users-copy"));
    QVERIFY(selectRow(QStringLiteral("users-copy-2")));
    QVERIFY(clickAction("actionDeleteRoute"));
    QCOMPARE(names(), start);

    // Disabled through the Enabled cell: the route stays in the profile but is not served.
    RouteListModel *model = m_page->model();
    const QModelIndex enabledCell = model->index(model->rowOf(QStringLiteral("users")), RouteListModel::Enabled);
    QVERIFY(model->flags(enabledCell).testFlag(Qt::ItemIsUserCheckable));
    QVERIFY(model->setData(enabledCell, Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(undoText(), QStringLiteral("Disable route users"));
    QVERIFY(!findRoute(m_document->profile(), QStringLiteral("users"))->enabled);
    QCOMPARE(names(), start);
    QCOMPARE(get(QStringLiteral("/api/users/1")), 404);

    QVERIFY(selectRow(QStringLiteral("users")));
    QCOMPARE(child<QAction>(*m_page, "actionToggleRouteEnabled")->text(), QStringLiteral("Enable"));
    QVERIFY(clickAction("actionToggleRouteEnabled"));
    QCOMPARE(undoText(), QStringLiteral("Enable route users"));
    QCOMPARE(get(QStringLiteral("/api/users/1")), 200);
    QCOMPARE(child<QAction>(*m_page, "actionToggleRouteEnabled")->text(), QStringLiteral("Disable"));

    QVERIFY(selectRow(QStringLiteral("users")));
    QVERIFY(clickAction("actionDeleteRoute"));
    QCOMPARE(undoText(), QStringLiteral("Delete route users"));
    QCOMPARE(names(), strings({ "hello" }));
    QCOMPARE(get(QStringLiteral("/api/users/1")), 404);
    m_document->undoStack()->undo();
    QCOMPARE(names(), start);
    QCOMPARE(get(QStringLiteral("/api/users/1")), 200);

    // The same actions are in the table's context menu.
    const QList<QAction *> menu = m_page->table()->actions();
    for (const char *name : { "actionAddRoute", "actionEditRoute", "actionDuplicateRoute", "actionDeleteRoute",
                              "actionMoveRouteUp", "actionMoveRouteDown", "actionToggleRouteEnabled" }) {
        QVERIFY2(menu.contains(child<QAction>(*m_page, name)), name);
    }
    QCOMPARE(m_page->table()->contextMenuPolicy(), Qt::ActionsContextMenu);

    // Through all of it, the connection opened before the first edit stayed up.
    QCOMPARE(getOnKeepAlive("/api/users/9"), 200);
}

void TestRouteEditing::emptyStateOffersTheFirstRoute()
{
    profile::Profile empty = m_document->profile();
    empty.routes.clear();
    ui::ProfileDocument document;
    document.reset(empty);
    ui::RoutesPage page(document, [this](QWidget *parent, const profile::Profile &current, int index) {
        return runDialog(parent, current, index);
    });
    QAbstractItemModelTester tester(page.model());
    page.resize(800, 400);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    auto *emptyLabel = child<QLabel>(page, "routesEmpty");
    auto *emptyAdd = child<QPushButton>(page, "routesEmptyAdd");
    QVERIFY(emptyLabel && emptyAdd);
    QVERIFY(emptyLabel->isVisible());
    QCOMPARE(emptyLabel->text(), QStringLiteral("No routes yet"));
    QVERIFY(!page.table()->isVisible());

    const int opened = m_dialogsOpened;
    m_fill = [](ui::RouteDialog &dialog) {
        QTest::keyClicks(child<QLineEdit>(dialog, "routeName"), QStringLiteral("teapot"));
        QTest::keyClicks(child<QLineEdit>(dialog, "routePath"), QStringLiteral("/tea"));
        QTest::mouseClick(child<QRadioButton>(dialog, "routeTargetRespond"), Qt::LeftButton);
        QVERIFY(child<QSpinBox>(dialog, "routeRespondStatus")->isVisible());
        QVERIFY(!child<QComboBox>(dialog, "routeUpstream")->isVisible());
        child<QSpinBox>(dialog, "routeRespondStatus")->setValue(418);
        QTest::keyClicks(child<QLineEdit>(dialog, "routeRespondBody"), QStringLiteral("short and stout"));
        QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(dialog.problems().join(u'\n')));
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    };
    QTest::mouseClick(emptyAdd, Qt::LeftButton);
    QCOMPARE(m_dialogsOpened, opened + 1);
    QCOMPARE(m_dialogIndex, -1);
    QVERIFY(!QTest::currentTestFailed());

    const profile::Route *teapot = findRoute(document.profile(), QStringLiteral("teapot"));
    QVERIFY(teapot && teapot->respond);
    QCOMPARE(teapot->respond->status, 418);
    QCOMPARE(teapot->respond->body, QByteArray("short and stout"));
    QVERIFY(teapot->upstream.isEmpty());
    QVERIFY(!emptyLabel->isVisible());
    QVERIFY(page.table()->isVisible());
    QCOMPARE(page.model()->index(0, RouteListModel::Target).data().toString(), QStringLiteral("responds 418"));
    QCOMPARE(page.model()->index(0, RouteListModel::Match).data().toString(), QStringLiteral("/tea*"));

    document.undoStack()->undo();
    QVERIFY(emptyLabel->isVisible());
    QVERIFY(!page.table()->isVisible());
}

QTEST_MAIN(TestRouteEditing)
#include "TestRouteEditing.moc"
