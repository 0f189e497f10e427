// File → Export as nginx / Kong and Import from Kong in the window: the files written are exactly
// what `gatehouse export` prints for the same profile, and the window lists what the target cannot
// express; an import is one undoable edit that lists what did not map, and a file that cannot be
// imported changes nothing.

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>

#include "engine/core/Gateway.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TestSupport.h"
#include "tests/support/UiTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/Prompts.h"
#include "ui/document/ProfileDocument.h"

using namespace gatehouse;

class TestForeignFormats : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void exportWritesWhatTheCommandPrints_data();
    void exportWritesWhatTheCommandPrints();
    void importIsOneUndoableEdit();
    void importThatFailsChangesNothing();
    void cancelledChoosersDoNothing();

private:
    QTemporaryDir m_dir;
};

namespace {

QString source(const QString &relative)
{
    return qEnvironmentVariable("GATEHOUSE_SOURCE_DIR") + QLatin1Char('/') + relative;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QList<QByteArray> lines(const QByteArray &text)
{
    return text.trimmed().isEmpty() ? QList<QByteArray>() : text.trimmed().split('\n');
}

QLabel *report(QWidget &window)
{
    return window.findChild<QLabel *>(QStringLiteral("foreignFormatReport"));
}

} // namespace

void TestForeignFormats::exportWritesWhatTheCommandPrints_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("actionName");
    QTest::newRow("nginx") << QStringLiteral("nginx") << QStringLiteral("actionExportNginx");
    QTest::newRow("kong") << QStringLiteral("kong") << QStringLiteral("actionExportKong");
}

void TestForeignFormats::exportWritesWhatTheCommandPrints()
{
    QFETCH(QString, format);
    QFETCH(QString, actionName);
    // least_latency and Server-Timing are in neither target; the window listens on a free port.
    const QString path = test::writeFile(m_dir, QStringLiteral("exports.yaml"),
                                         "gatehouse: 1\n"
                                         "name: exports\n"
                                         "listen: [{ bind: 127.0.0.1:0 }]\n"
                                         "upstreams:\n"
                                         "  - { name: api, balance: least_latency, targets: [{ url: http://127.0.0.1:9 }] }\n"
                                         "routes:\n"
                                         "  - { name: api, match: { path: /api, methods: [GET] }, upstream: api }\n");
    QByteArray expected;
    QByteArray warnings;
    QCOMPARE(test::GatehouseProcess::run({ QStringLiteral("export"), path, QStringLiteral("--format"), format }, &expected,
                                         &warnings),
             0);
    QVERIFY(!expected.isEmpty());

    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(path));
    const QString out = m_dir.filePath(format + QStringLiteral(".out"));
    ui::setNextFile(out);
    test::action(window, actionName.toLatin1().constData())->trigger();

    QCOMPARE(readAll(out), expected);
    QVERIFY(report(window)->isVisible());
    const QString shown = report(window)->text();
    QVERIFY2(shown.contains(QStringLiteral("Exported to ") + out), qPrintable(shown));
    // Every line the command warned about is listed (it prefixes them with the program's name).
    QVERIFY(!lines(warnings).isEmpty());
    for (const QByteArray &line : lines(warnings)) {
        const QString warning = QString::fromUtf8(line).remove(QStringLiteral("gatehouse: "));
        QVERIFY2(shown.contains(warning.toHtmlEscaped()), qPrintable(warning + u'\n' + shown));
    }
    QVERIFY(!window.isWindowModified()); // exporting is not an edit
    QCOMPARE(window.document()->undoStack()->count(), 0);
    QVERIFY(test::stopGateway(gateway));
}

void TestForeignFormats::importIsOneUndoableEdit()
{
    const QString deck = source(QStringLiteral("tests/export/fixtures/services.yaml"));
    QByteArray yaml;
    QByteArray notMapped;
    QCOMPARE(test::GatehouseProcess::run({ QStringLiteral("import"), deck, QStringLiteral("--from"), QStringLiteral("kong") },
                                         &yaml, &notMapped),
             0);
    const QString imported = test::writeFile(m_dir, QStringLiteral("imported.yaml"), yaml);

    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(test::writeFile(m_dir, QStringLiteral("hello.yaml"), test::helloProfile("foreign"))));
    const profile::Profile before = window.document()->profile();
    ui::setNextFile(deck);
    test::action(window, "actionImportKong")->trigger();

    // The same profile the command writes, in the document as one undoable step.
    ui::ProfileDocument reference;
    QStringList problems;
    QVERIFY2(reference.open(imported, &problems), qPrintable(problems.join(u'\n')));
    QVERIFY(window.document()->profile().sameContent(reference.profile()));
    QCOMPARE(window.document()->undoStack()->count(), 1);
    QVERIFY(window.isWindowModified());
    const QString shown = report(window)->text();
    QVERIFY(report(window)->isVisible());
    QVERIFY(!lines(notMapped).isEmpty());
    for (const QByteArray &line : lines(notMapped)) {
        QVERIFY2(shown.contains(QString::fromUtf8(line).toHtmlEscaped()), line.constData());
    }
    test::action(window, "actionUndo")->trigger();
    QVERIFY(window.document()->profile().sameContent(before));
    QVERIFY(test::stopGateway(gateway));
}

void TestForeignFormats::importThatFailsChangesNothing()
{
    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(test::writeFile(m_dir, QStringLiteral("hello.yaml"), test::helloProfile("foreign"))));
    for (const QString &bad : { source(QStringLiteral("tests/export/fixtures/wrong-version.yaml")),
                                m_dir.filePath(QStringLiteral("missing.yaml")) }) {
        ui::setNextFile(bad);
        test::action(window, "actionImportKong")->trigger();
        QVERIFY2(report(window)->text().contains(QStringLiteral("was not imported; nothing changed")),
                 qPrintable(report(window)->text()));
        QCOMPARE(window.document()->undoStack()->count(), 0);
        QVERIFY(!window.isWindowModified());
    }
    // The report stays until dismissed.
    Q_EMIT report(window)->linkActivated(QStringLiteral("dismiss"));
    QVERIFY(!report(window)->isVisible());
    QVERIFY(test::stopGateway(gateway));
}

void TestForeignFormats::cancelledChoosersDoNothing()
{
    engine::Gateway gateway;
    ui::MainWindow window(gateway);
    window.show();
    QVERIFY(window.openProfile(test::writeFile(m_dir, QStringLiteral("hello.yaml"), test::helloProfile("foreign"))));
    for (const char *name : { "actionImportKong", "actionExportNginx", "actionExportKong" }) {
        ui::setNextFile(QString());
        test::action(window, name)->trigger();
        QVERIFY(!report(window)->isVisible());
    }
    QCOMPARE(window.document()->undoStack()->count(), 0);
    QVERIFY(test::stopGateway(gateway));
}

QTEST_MAIN(TestForeignFormats)
#include "TestForeignFormats.moc"
