// The Rate limits page and its editor on a real engine: a limit added through the form applies at
// once (the 4th request in a second gets 429), checks as you type, a rename routes follow, and a
// delete the profile's routes still need is refused.

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <QTreeWidget>

#include "engine/core/Gateway.h"
#include "tests/support/UiTestSupport.h"
#include "ui/document/ProfileDocument.h"
#include "ui/ratelimits/RateLimitDialog.h"
#include "ui/ratelimits/RateLimitsPage.h"

using namespace gatehouse;
using test::okButton;
using test::statusOf;

class TestRateLimitEditing : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void addRenameAndDelete();
};

void TestRateLimitEditing::addRenameAndDelete()
{
    const QByteArray yaml = "gatehouse: 1\n"
                            "name: limits\n"
                            "listen:\n"
                            "  - bind: 127.0.0.1:0\n"
                            "routes:\n"
                            "  - name: api\n"
                            "    match: { path: /api }\n"
                            "    respond: { status: 200, body: ok }\n";
    ui::ProfileDocument document;
    engine::Gateway gateway;
    QVERIFY(test::runDocument(document, gateway, yaml));
    ui::RateLimitsPage page(gateway, document);
    page.show();

    ui::RateLimitDialog *dialog = page.openEditor(-1);
    QVERIFY(!okButton(dialog)->isEnabled()); // no name yet
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("rateLimitName")), QStringLiteral("three"));
    auto *requests = dialog->findChild<QSpinBox *>(QStringLiteral("rateLimitRequests"));
    requests->setValue(3);
    auto *per = dialog->findChild<QLineEdit *>(QStringLiteral("rateLimitPer"));
    per->clear();
    QTest::keyClicks(per, QStringLiteral("1 minute"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(dialog->problems().join(u'|').startsWith(QStringLiteral("per:")), qPrintable(dialog->problems().join(u'|')));
    per->clear();
    QTest::keyClicks(per, QStringLiteral("1m"));
    auto *key = dialog->findChild<QComboBox *>(QStringLiteral("rateLimitKey"));
    key->setCurrentIndex(key->findData(QStringLiteral("global")));
    QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(dialog->problems().join(u'|')));
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QCOMPARE(document.profile().rateLimits.size(), 1);
    QCOMPARE(document.profile().rateLimits.first().key, QStringLiteral("global"));

    // Put it on the route (the route editor's job; the document's API here) and see it bite.
    profile::Profile next = document.profile();
    next.routes.first().rateLimit = { QStringLiteral("three") };
    QStringList problems;
    QVERIFY(document.edit(QStringLiteral("Limit api"), next, &problems));
    QNetworkAccessManager manager;
    const QString api = gateway.listeners().first().url() + QStringLiteral("/api");
    QCOMPARE(statusOf(manager, api), 200);
    QCOMPARE(statusOf(manager, api), 200);
    QCOMPARE(statusOf(manager, api), 200);
    QCOMPARE(statusOf(manager, api), 429);
    auto *tree = page.findChild<QTreeWidget *>(QStringLiteral("rateLimits"));
    QCOMPARE(tree->topLevelItem(0)->text(4), QStringLiteral("api"));

    // Renaming carries the route along.
    dialog = page.openEditor(0);
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("rateLimitName"));
    name->clear();
    QTest::keyClicks(name, QStringLiteral("few"));
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QCOMPARE(document.profile().routes.first().rateLimit, QStringList { QStringLiteral("few") });

    // In use: refused with the reader's message; once unused it goes, and undo brings it back.
    QVERIFY(!page.deleteLimit(0));
    QVERIFY(page.findChild<QLabel *>(QStringLiteral("rateLimitsMessage"))->text().contains(QStringLiteral("unknown rate limit 'few'")));
    next = document.profile();
    next.routes.first().rateLimit.clear();
    QVERIFY(document.edit(QStringLiteral("Unlimit api"), next, &problems));
    QVERIFY(page.deleteLimit(0));
    QVERIFY(document.profile().rateLimits.isEmpty());
    document.undoStack()->undo();
    QCOMPARE(document.profile().rateLimits.size(), 1);

    QVERIFY(test::stopGateway(gateway));
}

QTEST_MAIN(TestRateLimitEditing)
#include "TestRateLimitEditing.moc"
