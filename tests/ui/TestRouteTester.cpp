// The route tester through its widgets, on a running engine: typing a URL shows the route that
// takes it, the upstream path after strip_prefix, and why the others do not; headers and the
// method change the answer; a profile applied meanwhile is used at once. Nothing is sent.

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QTreeWidget>

#include "engine/core/Gateway.h"
#include "engine/profile/ProfileReader.h"
#include "ui/tester/RouteTesterView.h"

using namespace gatehouse;

class TestRouteTester : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void explainsAsYouType();
};

namespace {

profile::Profile readOrFail(const QByteArray &yaml)
{
    const profile::ReadResult read = profile::readProfile(yaml, QStringLiteral("<tester>"), QString());
    return read.ok() ? *read.profile : profile::Profile {};
}

QTreeWidgetItem *routeRow(QTreeWidget *tree, const QString &route)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->text(0) == route) {
            return tree->topLevelItem(i);
        }
    }
    return nullptr;
}

} // namespace

void TestRouteTester::explainsAsYouType()
{
    const QByteArray yaml = R"(gatehouse: 1
name: tester
listen:
  - bind: 127.0.0.1:0
upstreams:
  - name: users-svc
    targets: [{ url: "http://127.0.0.1:9" }]
routes:
  - name: users
    match: { path: /api/users, methods: [GET] }
    strip_prefix: /api
    upstream: users-svc
  - name: beta
    match: { path: /api/users, methods: [GET], headers: { X-Beta: "1" } }
    upstream: users-svc
  - name: health
    match: { path_exact: /health }
    respond: { status: 204 }
)";
    const profile::Profile profile = readOrFail(yaml);
    QVERIFY(!profile.routes.isEmpty());
    engine::Gateway gateway;
    QVERIFY(gateway.start(profile));
    ui::RouteTesterView view(gateway);
    view.show();
    auto *method = view.findChild<QComboBox *>(QStringLiteral("testerMethod"));
    auto *url = view.findChild<QLineEdit *>(QStringLiteral("testerUrl"));
    auto *headers = view.findChild<QTableWidget *>(QStringLiteral("testerHeaders"));
    auto *result = view.findChild<QLabel *>(QStringLiteral("testerResult"));
    auto *routes = view.findChild<QTreeWidget *>(QStringLiteral("testerRoutes"));
    QVERIFY(method && url && headers && result && routes);
    QVERIFY(result->text().contains(QStringLiteral("Nothing is sent")));

    QTest::keyClicks(url, QStringLiteral("http://localhost:8080/api/users/42?x=1"));
    QVERIFY2(result->text().contains(QStringLiteral("<b>users</b>")), qPrintable(result->text()));
    QVERIFY(result->text().contains(QStringLiteral("<code>/users/42?x=1</code>")));
    QCOMPARE(routes->topLevelItemCount(), 3);
    QVERIFY(routeRow(routes, QStringLiteral("users"))->text(1).startsWith(QStringLiteral("✔")));
    QVERIFY2(routeRow(routes, QStringLiteral("beta"))->text(1).contains(QStringLiteral("header x-beta is missing")),
             qPrintable(routeRow(routes, QStringLiteral("beta"))->text(1)));

    // A header makes the route with more kinds of conditions win; typing into the table is enough.
    headers->setItem(0, 0, new QTableWidgetItem(QStringLiteral("X-Beta")));
    headers->setItem(0, 1, new QTableWidgetItem(QStringLiteral("1")));
    QVERIFY2(result->text().contains(QStringLiteral("<b>beta</b>")), qPrintable(result->text()));
    QVERIFY(result->text().contains(QStringLiteral("<code>/api/users/42?x=1</code>"))); // no strip_prefix there

    headers->item(0, 1)->setText(QStringLiteral("0"));
    method->setCurrentText(QStringLiteral("POST"));
    QVERIFY2(result->text().contains(QStringLiteral("405")), qPrintable(result->text()));
    QVERIFY(result->text().contains(QStringLiteral("GET")));

    url->clear();
    QTest::keyClicks(url, QStringLiteral("/health"));
    QVERIFY2(result->text().contains(QStringLiteral("answers by itself with 204")), qPrintable(result->text()));

    // The engine's new profile is what the tester explains next.
    QByteArray changed = yaml;
    changed.replace("path_exact: /health", "path_exact: /healthz");
    QSignalSpy applied(&gateway, &engine::Gateway::profileApplied);
    QVERIFY(gateway.apply(readOrFail(changed)));
    QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QStringLiteral("404")), 2000);

    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(2));
    QVERIFY(stopped.wait(5000));
}

QTEST_MAIN(TestRouteTester)
#include "TestRouteTester.moc"
