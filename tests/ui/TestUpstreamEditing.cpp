// The Upstreams page and its editor on a real engine with a real echo upstream: live target
// state, fixing a target by typing, checks as you type, the TLS warning, a rename that routes
// follow, and deletes the profile's own rules refuse.

#include <QCheckBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>
#include <QTreeWidget>

#include "engine/core/Gateway.h"
#include "tests/support/TestSupport.h"
#include "tests/support/UiTestSupport.h"
#include "ui/document/ProfileDocument.h"
#include "ui/upstreams/UpstreamDialog.h"
#include "ui/upstreams/UpstreamsPage.h"

using namespace gatehouse;
using test::okButton;
using test::statusOf;

class TestUpstreamEditing : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void editFixRenameAndDelete();
};

namespace {

void setText(ui::UpstreamDialog *dialog, const char *name, const QString &text)
{
    auto *edit = dialog->findChild<QLineEdit *>(QString::fromLatin1(name));
    edit->clear();
    QTest::keyClicks(edit, text);
}

} // namespace

void TestUpstreamEditing::editFixRenameAndDelete()
{
    test::GatehouseProcess echo;
    QVERIFY(echo.startEcho(QStringLiteral("svc-1")));
    const QByteArray yaml = "gatehouse: 1\n"
                            "name: upstreams\n"
                            "listen:\n"
                            "  - bind: 127.0.0.1:0\n"
                            "upstreams:\n"
                            "  - name: svc\n"
                            "    targets: [{ url: \"http://127.0.0.1:9\" }]\n"
                            "  - name: spare\n"
                            "    targets: [{ url: \"http://127.0.0.1:9\" }]\n"
                            "routes:\n"
                            "  - name: api\n"
                            "    match: { path: /api }\n"
                            "    upstream: svc\n";
    ui::ProfileDocument document;
    engine::Gateway gateway;
    QVERIFY(test::runDocument(document, gateway, yaml));
    ui::UpstreamsPage page(gateway, document);
    page.show();
    QNetworkAccessManager manager;
    const QString api = gateway.listeners().first().url() + QStringLiteral("/api/x");
    QCOMPARE(statusOf(manager, api), 503); // port 9: nothing answers

    // Fix the target by typing its URL; OK only once it parses.
    ui::UpstreamDialog *dialog = page.openEditor(0);
    auto *targets = dialog->findChild<QTableWidget *>(QStringLiteral("upstreamTargets"));
    targets->item(0, 0)->setText(QStringLiteral("http://127.0.0.1:notaport"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("upstreamProblems"))->text().contains(QStringLiteral("notaport")));
    targets->item(0, 0)->setText(echo.url());
    QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(dialog->problems().join(u'|')));
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QCOMPARE(document.profile().upstreams.first().targets.first().url, echo.url());
    QCOMPARE(statusOf(manager, api), 200);

    // The page shows the target's live state, requests counted by the engine.
    auto *tree = page.findChild<QTreeWidget *>(QStringLiteral("upstreams"));
    QTRY_VERIFY_WITH_TIMEOUT(tree->topLevelItem(0)->childCount() == 1 && tree->topLevelItem(0)->child(0)->text(4) == QStringLiteral("1"), 3000);
    QCOMPARE(tree->topLevelItem(0)->child(0)->text(0), echo.url());

    // Turning verification off is said out loud, and a duplicate name is refused as check would.
    dialog = page.openEditor(1);
    dialog->findChild<QGroupBox *>(QStringLiteral("upstreamTls"))->setChecked(true);
    auto *warning = dialog->findChild<QLabel *>(QStringLiteral("upstreamTlsWarning"));
    QVERIFY(warning->isHidden());
    dialog->findChild<QCheckBox *>(QStringLiteral("upstreamVerify"))->setChecked(false);
    QVERIFY(!warning->isHidden());
    setText(dialog, "upstreamName", QStringLiteral("svc"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(dialog->problems().join(u'|').contains(QStringLiteral("duplicate upstream name 'svc'")));
    dialog->reject();

    // A rename carries the routes along: traffic keeps flowing.
    dialog = page.openEditor(0);
    setText(dialog, "upstreamName", QStringLiteral("users"));
    QVERIFY(okButton(dialog)->isEnabled());
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QCOMPARE(document.profile().routes.first().upstream, QStringLiteral("users"));
    QCOMPARE(statusOf(manager, api), 200);

    // An upstream a route uses cannot go; an unused one can, and undo brings it back.
    QVERIFY(!page.deleteUpstream(0));
    QVERIFY(page.findChild<QLabel *>(QStringLiteral("upstreamsMessage"))->text().contains(QStringLiteral("unknown upstream 'users'")));
    QCOMPARE(document.profile().upstreams.size(), 2);
    QVERIFY(page.deleteUpstream(1));
    QCOMPARE(document.profile().upstreams.size(), 1);
    document.undoStack()->undo();
    QCOMPARE(document.profile().upstreams.size(), 2);

    QVERIFY(test::stopGateway(gateway));
}

QTEST_MAIN(TestUpstreamEditing)
#include "TestUpstreamEditing.moc"
