// The window's profile flows on a real engine: open (an invalid file shows line:column problems
// and changes nothing), HTTPS in one click with the local CA (curl trusts the exported CA), undo,
// save, a file changed by another program offered for reload, import, and closing with unsaved
// changes asking first.

#include <QAction>
#include <QComboBox>
#include <QLineEdit>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "engine/core/Gateway.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TestSupport.h"
#include "tests/support/UiTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/Prompts.h"
#include "ui/RecentFiles.h"
#include "ui/document/ProfileDocument.h"
#include "ui/listeners/ListenerDialog.h"
#include "ui/listeners/ListenersPage.h"

using namespace gatehouse;

class TestWindowProfiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void openEditSaveAndReload();
    void invalidFilesChangeNothing();
    void closingAsksAboutUnsavedChanges();
    void listenerEditor();

private:
    QTemporaryDir m_dir;
};

namespace {

int curlStatus(const QStringList &args)
{
    QProcess curl;
    curl.start(QStringLiteral("curl"), QStringList { QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                                     QStringLiteral("-w"), QStringLiteral("%{http_code}"), QStringLiteral("-m"),
                                                     QStringLiteral("5") } + args);
    // The engine accepts on this thread: wait in the event loop, never in waitForFinished().
    QSignalSpy finished(&curl, &QProcess::finished);
    if (!finished.wait(10000)) {
        curl.kill();
        curl.waitForFinished(1000);
        return -1;
    }
    return curl.readAllStandardOutput().toInt();
}

} // namespace

void TestWindowProfiles::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Settings (recent files) and the local CA stay inside the test's folder.
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_dir.filePath(QStringLiteral("config"))));
    qputenv("XDG_DATA_HOME", QFile::encodeName(m_dir.filePath(QStringLiteral("data"))));
    QCoreApplication::setOrganizationName(QStringLiteral("GatehouseTest"));
    QCoreApplication::setApplicationName(QStringLiteral("gatehouse-test"));
}

void TestWindowProfiles::openEditSaveAndReload()
{
    const QString path = test::writeFile(m_dir, QStringLiteral("window.yaml"), test::helloProfile("window"));
    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(path));
    QVERIFY(gateway.isRunning());
    QVERIFY2(window.windowTitle().startsWith(QStringLiteral("window.yaml[*]")), qPrintable(window.windowTitle()));
    QVERIFY(!window.isWindowModified());
    QCOMPARE(ui::recentProfiles().value(0), path);

    // HTTPS in one click: a listener with a local-CA certificate, running at once.
    window.showPage(ui::MainWindow::Listeners);
    auto *addHttps = window.findChild<QPushButton *>(QStringLiteral("addHttpsListener"));
    QVERIFY(addHttps && addHttps->isEnabled());
    QTest::mouseClick(addHttps, Qt::LeftButton);
    QVERIFY(window.isWindowModified());
    QVERIFY(!addHttps->isEnabled()); // one local-CA listener is enough
    QList<engine::ListenerInfo> listeners = gateway.listeners();
    QCOMPARE(listeners.size(), 2);
    QVERIFY(listeners.at(1).tls);
    const QString ca = m_dir.filePath(QStringLiteral("gatehouse-ca.pem"));
    ui::setNextFile(ca);
    QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("exportCa")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(ca), 10000); // the CA is read off the GUI thread
    const QString https = QStringLiteral("https://localhost:%1/hello").arg(listeners.at(1).port);
    QCOMPARE(curlStatus({ QStringLiteral("--cacert"), ca, https }), 200);

    // Undo takes the listener away again, in the engine too.
    test::action(window, "actionUndo")->trigger();
    QCOMPARE(gateway.listeners().size(), 1);
    QVERIFY(!window.isWindowModified());
    test::action(window, "actionRedo")->trigger();
    QCOMPARE(gateway.listeners().size(), 2);

    // Save writes the file atomically and clears the mark.
    test::action(window, "actionSave")->trigger();
    QVERIFY(!window.isWindowModified());
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll().contains("auto: true"));
    saved.close();

    // Another program changes the file: offered, and taken on Reload.
    QByteArray outside = test::helloProfile("window");
    outside.replace("body: hi", "body: changed outside");
    QVERIFY(!test::writeFile(m_dir, QStringLiteral("window.yaml"), outside).isEmpty());
    auto *banner = window.findChild<QWidget *>(QStringLiteral("diskChanged"));
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 3000);
    QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("diskReload")), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QCOMPARE(window.document()->profile().routes.first().respond->body, QByteArray("changed outside"));
    QCOMPARE(gateway.listeners().size(), 1); // the reloaded file has no HTTPS listener

    QVERIFY(test::stopGateway(gateway));
}

void TestWindowProfiles::invalidFilesChangeNothing()
{
    const QString good = test::writeFile(m_dir, QStringLiteral("good.yaml"), test::helloProfile("window"));
    const QString bad = test::writeFile(m_dir, QStringLiteral("bad.yaml"), "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:0\n    tsl: {}\n");
    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(good));
    QVERIFY(!window.openProfile(bad));
    auto *problems = window.findChild<QLabel *>(QStringLiteral("startError"));
    QVERIFY(problems->isVisible());
    QVERIFY2(problems->text().contains(QStringLiteral("bad.yaml:4:5: unknown key 'tsl' in a listener")), qPrintable(problems->text()));
    QCOMPARE(window.document()->path(), good);
    QVERIFY(gateway.isRunning());

    ui::setNextFile(bad);
    test::action(window, "actionImport")->trigger();
    QVERIFY(problems->text().contains(QStringLiteral("was not imported")));
    QCOMPARE(window.document()->undoStack()->count(), 0);
    QVERIFY(!window.isWindowModified());

    QVERIFY(test::stopGateway(gateway));
}

void TestWindowProfiles::closingAsksAboutUnsavedChanges()
{
    const QString path = test::writeFile(m_dir, QStringLiteral("close.yaml"), test::helloProfile("window"));
    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(path));
    profile::Profile next = window.document()->profile();
    next.name = QStringLiteral("renamed");
    QStringList problems;
    QVERIFY(window.document()->edit(QStringLiteral("Rename"), next, &problems));

    ui::setNextAnswer(QMessageBox::Cancel);
    QVERIFY(!window.close());
    QVERIFY(window.isVisible());
    ui::setNextAnswer(QMessageBox::Save);
    QVERIFY(window.close());
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll().contains("name: renamed"));

    QVERIFY(test::stopGateway(gateway));
}

void TestWindowProfiles::listenerEditor()
{
    const QString path = test::writeFile(m_dir, QStringLiteral("listeners.yaml"), test::helloProfile("window"));
    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(path));
    window.showPage(ui::MainWindow::Listeners);
    auto *page = window.findChild<ui::ListenersPage *>();
    QVERIFY(page);
    ui::ListenerDialog *dialog = page->openEditor(-1);
    auto *bind = dialog->findChild<QLineEdit *>(QStringLiteral("listenerBind"));
    QTest::keyClicks(bind, QStringLiteral("nope"));
    QVERIFY(!test::okButton(dialog)->isEnabled());
    QVERIFY2(dialog->problems().join(u'|').startsWith(QStringLiteral("address:")), qPrintable(dialog->problems().join(u'|')));
    bind->clear();
    QTest::keyClicks(bind, QStringLiteral("127.0.0.1:0"));
    auto *tls = dialog->findChild<QComboBox *>(QStringLiteral("listenerTls"));
    tls->setCurrentIndex(ui::ListenerDialog::Files);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("listenerCert")), QStringLiteral("missing.pem"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("listenerKey")), QStringLiteral("missing-key.pem"));
    QVERIFY(!test::okButton(dialog)->isEnabled());
    // The files are read off the GUI thread.
    QTRY_VERIFY2_WITH_TIMEOUT(dialog->problems().join(u'|').contains(QStringLiteral("missing.pem")),
                              qPrintable(dialog->problems().join(u'|')), 5000);
    QVERIFY(!test::okButton(dialog)->isEnabled());
    tls->setCurrentIndex(ui::ListenerDialog::LocalCa);
    QVERIFY2(test::okButton(dialog)->isEnabled(), qPrintable(dialog->problems().join(u'|')));
    QTest::mouseClick(test::okButton(dialog), Qt::LeftButton);
    QList<engine::ListenerInfo> listeners = gateway.listeners();
    QCOMPARE(listeners.size(), 2);
    QVERIFY(listeners.at(1).tls);

    QVERIFY(page->deleteListener(1));
    QCOMPARE(gateway.listeners().size(), 1);
    window.document()->undoStack()->undo();
    QCOMPARE(gateway.listeners().size(), 2);

    QVERIFY(test::stopGateway(gateway));
}

QTEST_MAIN(TestWindowProfiles)
#include "TestWindowProfiles.moc"
