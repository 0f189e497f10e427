// The Listeners page's "Trust the local CA" and "Remove trust" buttons: clicked, they run
// `ca --trust` / `--untrust` off the GUI thread and show one line per store; a sandbox's NSS
// stores (TrustSandbox) then hold the CA, and then no longer do.

#include <unistd.h>

#include <QLabel>
#include <QPushButton>
#include <QTest>

#include "engine/core/Gateway.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TrustSandbox.h"
#include "tests/support/UiTestSupport.h"
#include "ui/document/ProfileDocument.h"
#include "ui/listeners/ListenersPage.h"

using namespace gatehouse;

class TestCaTrustButtons final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void trustAndRemoveTrust();
};

void TestCaTrustButtons::trustAndRemoveTrust()
{
    test::TrustSandbox sandbox;
    QString error;
    QVERIFY2(sandbox.create(&error), qPrintable(error));
    sandbox.useInThisProcess();
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(sandbox.path() + QStringLiteral("/config")));

    ui::ProfileDocument document;
    engine::Gateway gateway;
    QVERIFY(test::runDocument(document, gateway, test::helloProfile("trust")));
    ui::ListenersPage page(gateway, document);
    page.show();
    auto *trust = page.findChild<QPushButton *>(QStringLiteral("trustCa"));
    auto *untrust = page.findChild<QPushButton *>(QStringLiteral("untrustCa"));
    auto *message = page.findChild<QLabel *>(QStringLiteral("listenersMessage"));
    QVERIFY(trust && untrust && message);

    QTest::mouseClick(trust, Qt::LeftButton);
    QVERIFY(!trust->isEnabled() && !untrust->isEnabled()); // until the report is in
    QTRY_VERIFY_WITH_TIMEOUT(trust->isEnabled(), 30000);
    const QString nickname = test::TrustSandbox::nickname(sandbox.caPath());
    QCOMPARE(test::TrustSandbox::nssTrust(sandbox.chromiumStore(), nickname), QStringLiteral("C,,"));
    QCOMPARE(test::TrustSandbox::nssTrust(sandbox.firefoxProfile(), nickname), QStringLiteral("C,,"));
    QStringList lines = message->text().split(u'\n');
    QCOMPARE(lines.size(), 3);
    // As root the sandbox's system store is changed; otherwise the line says what to run.
    const QString system = ::geteuid() == 0 ? QStringLiteral("added to the system store (") : QStringLiteral("skipped the system store (");
    QVERIFY2(lines.at(0).startsWith(system), qPrintable(lines.at(0)));
    QCOMPARE(lines.mid(1), QStringList({ QStringLiteral("added to Chromium/Chrome NSS store ") + sandbox.chromiumStore(),
                                         QStringLiteral("added to Firefox profile ") + sandbox.firefoxProfile() }));

    QTest::mouseClick(untrust, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(untrust->isEnabled(), 30000);
    QCOMPARE(test::TrustSandbox::nssTrust(sandbox.chromiumStore(), nickname), QString());
    QCOMPARE(test::TrustSandbox::nssTrust(sandbox.firefoxProfile(), nickname), QString());
    lines = message->text().split(u'\n');
    QCOMPARE(lines.mid(1), QStringList({ QStringLiteral("removed from Chromium/Chrome NSS store ") + sandbox.chromiumStore(),
                                         QStringLiteral("removed from Firefox profile ") + sandbox.firefoxProfile() }));

    QVERIFY(test::stopGateway(gateway));
}

QTEST_MAIN(TestCaTrustButtons)
#include "TestCaTrustButtons.moc"
