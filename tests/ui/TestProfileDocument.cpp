// The profile the app edits: open (an invalid file changes nothing), validated edits with undo
// and redo, atomic save, Save As, import/export, and files changed on disk by other programs.

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"
#include "tests/support/TestProfiles.h"
#include "tests/support/TestSupport.h"
#include "ui/document/ProfileDocument.h"

using namespace gatehouse;
using gatehouse::ui::ProfileDocument;

namespace {

const QByteArray kProfile = test::helloProfile("doc");

QByteArray read(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

profile::Profile withRoute(profile::Profile p, const QString &name, const QString &upstream = {})
{
    profile::Route route;
    route.name = name;
    route.match.path = QLatin1Char('/') + name;
    if (upstream.isEmpty()) {
        route.respond = profile::Respond {};
    } else {
        route.upstream = upstream;
    }
    p.routes.append(route);
    return p;
}

} // namespace

class TestProfileDocument : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void openValidAndInvalid();
    void editsAreValidatedAndUndoable();
    void saveIsAtomicAndMarksClean();
    void saveAsMovesTheDocument();
    void importAndExport();
    void noticesChangesOnDisk();

private:
    QTemporaryDir m_dir;
    QString m_path;
};

void TestProfileDocument::init()
{
    QVERIFY(m_dir.isValid());
    m_path = test::writeFile(m_dir, QStringLiteral("doc.yaml"), kProfile);
    QVERIFY(!m_path.isEmpty());
}

void TestProfileDocument::openValidAndInvalid()
{
    ProfileDocument document;
    QStringList problems;
    QVERIFY(document.open(m_path, &problems));
    QCOMPARE(document.profile().name, QStringLiteral("doc"));
    QCOMPARE(document.displayName(), QStringLiteral("doc.yaml"));
    QVERIFY(!document.isModified());

    const QString bad = test::writeFile(m_dir, QStringLiteral("bad.yaml"), "gatehouse: 1\nroutes:\n  - name: r\n    upstream: nowhere\n");
    QVERIFY(!document.open(bad, &problems));
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.first().contains(QStringLiteral("bad.yaml:4:15: unknown upstream 'nowhere'")), qPrintable(problems.first()));
    QCOMPARE(document.profile().name, QStringLiteral("doc")); // nothing changed
    QCOMPARE(document.path(), m_path);
}

void TestProfileDocument::editsAreValidatedAndUndoable()
{
    ProfileDocument document;
    QStringList problems;
    QVERIFY(document.open(m_path, &problems));
    QSignalSpy changed(&document, &ProfileDocument::changed);
    QSignalSpy modified(&document, &ProfileDocument::modifiedChanged);

    QVERIFY(document.edit(QStringLiteral("Add route teapot"), withRoute(document.profile(), QStringLiteral("teapot")), &problems));
    QCOMPARE(document.profile().routes.size(), 2);
    QVERIFY(document.isModified());
    QCOMPARE(modified.last().first().toBool(), true);
    QCOMPARE(document.undoStack()->undoText(), QStringLiteral("Add route teapot"));

    // An edit `gatehouse check` would refuse changes nothing and leaves no undo step.
    QVERIFY(!document.edit(QStringLiteral("Add broken"), withRoute(document.profile(), QStringLiteral("broken"), QStringLiteral("nowhere")), &problems));
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.first().startsWith(QStringLiteral("unknown upstream 'nowhere'")), qPrintable(problems.first()));
    QCOMPARE(document.profile().routes.size(), 2);
    QCOMPARE(document.undoStack()->count(), 1);
    profile::Profile duplicate = withRoute(document.profile(), QStringLiteral("hello"));
    QVERIFY(!document.edit(QStringLiteral("Duplicate name"), duplicate, &problems));
    QVERIFY(problems.first().contains(QStringLiteral("duplicate route name 'hello'")));

    document.undoStack()->undo();
    QCOMPARE(document.profile().routes.size(), 1);
    QVERIFY(!document.isModified());
    document.undoStack()->redo();
    QCOMPARE(document.profile().routes.last().name, QStringLiteral("teapot"));
    QCOMPARE(changed.size(), 3); // edit, undo, redo
    // The same content again is no edit at all.
    QVERIFY(document.edit(QStringLiteral("Nothing"), document.profile(), &problems));
    QCOMPARE(document.undoStack()->count(), 1);
}

void TestProfileDocument::saveIsAtomicAndMarksClean()
{
    ProfileDocument document;
    QStringList problems;
    QVERIFY(document.open(m_path, &problems));
    QVERIFY(document.edit(QStringLiteral("Add"), withRoute(document.profile(), QStringLiteral("teapot")), &problems));
    QSignalSpy onDisk(&document, &ProfileDocument::changedOnDisk);
    QString error;
    QVERIFY2(document.save(&error), qPrintable(error));
    QVERIFY(!document.isModified());
    const QByteArray saved = read(m_path);
    QCOMPARE(saved, profile::writeProfileYaml(document.profile()));
    const profile::ReadResult reread = profile::readProfileFile(m_path);
    QVERIFY(reread.ok());
    QVERIFY(reread.profile->sameContent(document.profile()));
    QTest::qWait(300);
    QCOMPARE(onDisk.size(), 0); // our own write is not "someone else's change"

    // A save that cannot happen says why and leaves the file as it was.
    ProfileDocument orphan;
    orphan.reset(document.profile(), m_dir.filePath(QStringLiteral("missing-dir/doc.yaml")));
    QVERIFY(!orphan.save(&error));
    QVERIFY2(error.contains(QStringLiteral("missing-dir")), qPrintable(error));
    ProfileDocument untitled;
    untitled.reset(document.profile());
    QVERIFY(!untitled.save(&error));
    QVERIFY(error.contains(QStringLiteral("Save As")));
}

void TestProfileDocument::saveAsMovesTheDocument()
{
    ProfileDocument document;
    QStringList problems;
    QVERIFY(document.open(m_path, &problems));
    QSignalSpy pathChanged(&document, &ProfileDocument::pathChanged);
    const QString other = m_dir.filePath(QStringLiteral("copy.yaml"));
    QString error;
    QVERIFY(document.saveAs(other, &error));
    QCOMPARE(document.path(), other);
    QCOMPARE(pathChanged.size(), 1);
    QCOMPARE(read(other), profile::writeProfileYaml(document.profile()));
    QCOMPARE(read(m_path), kProfile); // the original is untouched
}

void TestProfileDocument::importAndExport()
{
    ProfileDocument document;
    QStringList problems;
    QVERIFY(document.open(m_path, &problems));
    const QString broken = test::writeFile(m_dir, QStringLiteral("broken.yaml"), "gatehouse: 1\nlisten: [{ bind: nope }]\n");
    QVERIFY(!document.importFrom(broken, &problems));
    QVERIFY2(problems.first().startsWith(broken + QStringLiteral(":2:")), qPrintable(problems.first()));
    QCOMPARE(document.undoStack()->count(), 0);

    QByteArray other = kProfile;
    other.replace("name: doc", "name: imported");
    QVERIFY(document.importFrom(test::writeFile(m_dir, QStringLiteral("other.yaml"), other), &problems));
    QCOMPARE(document.profile().name, QStringLiteral("imported"));
    QCOMPARE(document.path(), m_path); // still this document's file
    QVERIFY(document.isModified());
    document.undoStack()->undo();
    QCOMPARE(document.profile().name, QStringLiteral("doc"));

    const QString exported = m_dir.filePath(QStringLiteral("exported.yaml"));
    QString error;
    QVERIFY(document.exportTo(exported, &error));
    QCOMPARE(read(exported), profile::writeProfileYaml(document.profile()));
    QCOMPARE(document.path(), m_path);
}

void TestProfileDocument::noticesChangesOnDisk()
{
    ProfileDocument document;
    QStringList problems;
    QVERIFY(document.open(m_path, &problems));
    QSignalSpy onDisk(&document, &ProfileDocument::changedOnDisk);
    QByteArray changedByEditor = kProfile;
    changedByEditor.replace("body: hi", "body: hello from vim");
    // Another program replaces the file the way editors do: a new file renamed over it.
    const QString temp = test::writeFile(m_dir, QStringLiteral(".doc.yaml.swp"), changedByEditor);
    QVERIFY(QFile::remove(m_path));
    QVERIFY(QFile::rename(temp, m_path));
    QTRY_COMPARE_WITH_TIMEOUT(onDisk.size(), 1, 3000);
    QCOMPARE(document.profile().routes.first().respond->body, QByteArray("hi")); // only offered, not taken
    QVERIFY(document.reloadFromDisk(&problems));
    QCOMPARE(document.profile().routes.first().respond->body, QByteArray("hello from vim"));
    QVERIFY(!document.isModified());

    // The watch survived the rename: a second change is noticed too.
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
    file.write("# a comment\n");
    file.close();
    QTRY_COMPARE_WITH_TIMEOUT(onDisk.size(), 2, 3000);
}

QTEST_MAIN(TestProfileDocument)
#include "TestProfileDocument.moc"
