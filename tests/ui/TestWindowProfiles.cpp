// The window's profile flows on a real engine: open (an invalid file shows line:column problems
// and changes nothing), HTTPS in one click with the local CA (curl trusts the exported CA), undo,
// save, a file changed by another program offered for reload, import, and closing with unsaved
// changes asking first.

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "engine/core/Gateway.h"
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
    QString writeProfile(const QString &name, const QByteArray &content);
    QTemporaryDir m_dir;
};

namespace {

QByteArray profileYaml()
{
    return "gatehouse: 1\n"
           "name: window\n"
           "listen:\n"
           "  - bind: 127.0.0.1:0\n"
           "routes:\n"
           "  - name: hello\n"
           "    match: { path: /hello }\n"
           "    respond: { status: 200, body: hi }\n";
}

QAction *action(QWidget &window, const char *name)
{
    return window.findChild<QAction *>(QString::fromLatin1(name));
}

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

QString TestWindowProfiles::writeProfile(const QString &name, const QByteArray &content)
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly)) {
        return {};
    }
    file.write(content);
    return file.fileName();
}

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
    const QString path = writeProfile(QStringLiteral("window.yaml"), profileYaml());
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
    QVERIFY(QFile::exists(ca));
    const QString https = QStringLiteral("https://localhost:%1/hello").arg(listeners.at(1).port);
    QCOMPARE(curlStatus({ QStringLiteral("--cacert"), ca, https }), 200);

    // Undo takes the listener away again, in the engine too.
    action(window, "actionUndo")->trigger();
    QCOMPARE(gateway.listeners().size(), 1);
    QVERIFY(!window.isWindowModified());
    action(window, "actionRedo")->trigger();
    QCOMPARE(gateway.listeners().size(), 2);

    // Save writes the file atomically and clears the mark.
    action(window, "actionSave")->trigger();
    QVERIFY(!window.isWindowModified());
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll().contains("auto: true"));
    saved.close();

    // Another program changes the file: offered, and taken on Reload.
    QByteArray outside = profileYaml();
    outside.replace("body: hi", "body: changed outside");
    QVERIFY(!writeProfile(QStringLiteral("window.yaml"), outside).isEmpty());
    auto *banner = window.findChild<QWidget *>(QStringLiteral("diskChanged"));
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 3000);
    QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("diskReload")), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QCOMPARE(window.document()->profile().routes.first().respond->body, QByteArray("changed outside"));
    QCOMPARE(gateway.listeners().size(), 1); // the reloaded file has no HTTPS listener

    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(2));
    QVERIFY(stopped.wait(5000));
}

void TestWindowProfiles::invalidFilesChangeNothing()
{
    const QString good = writeProfile(QStringLiteral("good.yaml"), profileYaml());
    const QString bad = writeProfile(QStringLiteral("bad.yaml"), "gatehouse: 1\nlisten:\n  - bind: 127.0.0.1:0\n    tsl: {}\n");
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
    action(window, "actionImport")->trigger();
    QVERIFY(problems->text().contains(QStringLiteral("was not imported")));
    QCOMPARE(window.document()->undoStack()->count(), 0);
    QVERIFY(!window.isWindowModified());

    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(2));
    QVERIFY(stopped.wait(5000));
}

void TestWindowProfiles::closingAsksAboutUnsavedChanges()
{
    const QString path = writeProfile(QStringLiteral("close.yaml"), profileYaml());
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

    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(2));
    QVERIFY(stopped.wait(5000));
}

void TestWindowProfiles::listenerEditor()
{
    const QString path = writeProfile(QStringLiteral("listeners.yaml"), profileYaml());
    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(path));
    window.showPage(ui::MainWindow::Listeners);
    auto *page = window.findChild<ui::ListenersPage *>();
    QVERIFY(page);
    const auto ok = [](QDialog *dialog) {
        return dialog->findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))->button(QDialogButtonBox::Ok);
    };

    ui::ListenerDialog *dialog = page->openEditor(-1);
    auto *bind = dialog->findChild<QLineEdit *>(QStringLiteral("listenerBind"));
    QTest::keyClicks(bind, QStringLiteral("nope"));
    QVERIFY(!ok(dialog)->isEnabled());
    QVERIFY2(dialog->problems().join(u'|').startsWith(QStringLiteral("address:")), qPrintable(dialog->problems().join(u'|')));
    bind->clear();
    QTest::keyClicks(bind, QStringLiteral("127.0.0.1:0"));
    auto *tls = dialog->findChild<QComboBox *>(QStringLiteral("listenerTls"));
    tls->setCurrentIndex(ui::ListenerDialog::Files);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("listenerCert")), QStringLiteral("missing.pem"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("listenerKey")), QStringLiteral("missing-key.pem"));
    QVERIFY(!ok(dialog)->isEnabled());
    QVERIFY2(dialog->problems().join(u'|').contains(QStringLiteral("missing.pem")), qPrintable(dialog->problems().join(u'|')));
    tls->setCurrentIndex(ui::ListenerDialog::LocalCa);
    QVERIFY2(ok(dialog)->isEnabled(), qPrintable(dialog->problems().join(u'|')));
    QTest::mouseClick(ok(dialog), Qt::LeftButton);
    QList<engine::ListenerInfo> listeners = gateway.listeners();
    QCOMPARE(listeners.size(), 2);
    QVERIFY(listeners.at(1).tls);

    QVERIFY(page->deleteListener(1));
    QCOMPARE(gateway.listeners().size(), 1);
    window.document()->undoStack()->undo();
    QCOMPARE(gateway.listeners().size(), 2);

    QSignalSpy stopped(&gateway, &engine::Gateway::stopped);
    gateway.stop(std::chrono::seconds(2));
    QVERIFY(stopped.wait(5000));
}

QTEST_MAIN(TestWindowProfiles)
#include "TestWindowProfiles.moc"
