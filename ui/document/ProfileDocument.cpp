#include "ProfileDocument.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUndoCommand>

#include "engine/profile/ProfileReader.h"
#include "engine/profile/ProfileWriter.h"

namespace gatehouse::ui {

// One accepted edit: the profiles before and after, so undo and redo are exact.
class ProfileDocument::Snapshot final : public QUndoCommand
{
public:
    Snapshot(ProfileDocument &document, const QString &text, profile::Profile before, profile::Profile after)
        : QUndoCommand(text)
        , m_document(document)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
    }
    void undo() override { m_document.setProfile(m_before); }
    void redo() override { m_document.setProfile(m_after); }

private:
    ProfileDocument &m_document;
    profile::Profile m_before;
    profile::Profile m_after;
};

namespace {

QStringList describe(const QList<profile::Problem> &problems)
{
    QStringList out;
    for (const profile::Problem &problem : problems) {
        out.append(problem.toString());
    }
    return out;
}

// QSaveFile: a failed write never leaves a half-written file where a good one was.
bool writeAtomically(const QString &path, const QByteArray &content, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

ProfileDocument::ProfileDocument(QObject *parent)
    : QObject(parent)
{
    connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &ProfileDocument::onFileChanged);
}

// The undo stack, a member, dies after this body and says "clean changed" as it goes: that must
// not reach receivers (the window) that are already half destroyed.
ProfileDocument::~ProfileDocument()
{
    disconnect(&m_undo, nullptr, this, nullptr);
}

bool ProfileDocument::open(const QString &path, QStringList *problems)
{
    const profile::ReadResult read = profile::readProfileFile(path);
    if (!read.ok()) {
        *problems = describe(read.problems);
        return false;
    }
    QFile file(path);
    m_diskContent = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    reset(*read.profile, QFileInfo(path).absoluteFilePath());
    return true;
}

void ProfileDocument::reset(const profile::Profile &profile, const QString &path)
{
    m_undo.clear();
    m_path = path;
    watch(path);
    setProfile(profile);
    Q_EMIT pathChanged(m_path);
    Q_EMIT modifiedChanged(false);
}

bool ProfileDocument::save(QString *error)
{
    if (m_path.isEmpty()) {
        *error = tr("the profile has no file yet: use Save As");
        return false;
    }
    if (!writeTo(m_path, error)) {
        return false;
    }
    m_diskContent = profile::writeProfileYaml(m_profile);
    watch(m_path);
    m_undo.setClean();
    return true;
}

bool ProfileDocument::saveAs(const QString &path, QString *error)
{
    const QString previous = m_path;
    m_path = QFileInfo(path).absoluteFilePath();
    // Relative paths in the profile (certificates, keys) now resolve against the new folder.
    m_profile.baseDir = QFileInfo(m_path).absolutePath();
    if (!save(error)) {
        m_path = previous;
        m_profile.baseDir = previous.isEmpty() ? m_profile.baseDir : QFileInfo(previous).absolutePath();
        return false;
    }
    Q_EMIT pathChanged(m_path);
    return true;
}

bool ProfileDocument::importFrom(const QString &path, QStringList *problems)
{
    const profile::ReadResult read = profile::readProfileFile(path);
    if (!read.ok()) {
        *problems = describe(read.problems);
        return false;
    }
    return adopt(tr("Import %1").arg(QFileInfo(path).fileName()), *read.profile, problems);
}

bool ProfileDocument::importKong(const QString &path, QStringList *notMapped, QStringList *problems)
{
    exporter::ImportResult imported = engine::tools::importKongFile(path);
    *notMapped = imported.notMapped;
    if (!imported.ok()) {
        *problems = imported.errors;
        return false;
    }
    imported.profile->baseDir = QFileInfo(path).absolutePath();
    return adopt(tr("Import %1 from Kong").arg(QFileInfo(path).fileName()), *imported.profile, problems);
}

bool ProfileDocument::adopt(const QString &description, profile::Profile next, QStringList *problems)
{
    if (!m_path.isEmpty()) {
        next.baseDir = m_profile.baseDir; // relative paths now mean next to this document's file
    }
    return edit(description, next, problems);
}

bool ProfileDocument::exportTo(const QString &path, QString *error) const
{
    return writeTo(path, error);
}

bool ProfileDocument::reloadFromDisk(QStringList *problems)
{
    return open(m_path, problems);
}

bool ProfileDocument::edit(const QString &description, const profile::Profile &next, QStringList *problems)
{
    *problems = problemsOf(next);
    if (!problems->isEmpty()) {
        return false;
    }
    if (next.sameContent(m_profile)) {
        return true; // nothing to undo
    }
    m_undo.push(new Snapshot(*this, description, m_profile, next));
    return true;
}

QStringList ProfileDocument::problemsOf(const profile::Profile &candidate)
{
    // Through the file format and back: exactly the checks `gatehouse check` runs on a file.
    const profile::ReadResult read = profile::readProfile(profile::writeProfileYaml(candidate), QString(), candidate.baseDir);
    QStringList messages;
    for (const profile::Problem &problem : read.problems) {
        messages.append(problem.message);
    }
    return messages;
}

QString ProfileDocument::displayName() const
{
    return m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName();
}

void ProfileDocument::setProfile(const profile::Profile &profile)
{
    const QString baseDir = m_profile.baseDir;
    m_profile = profile;
    if (m_profile.baseDir.isEmpty()) {
        m_profile.baseDir = baseDir;
    }
    Q_EMIT changed();
}

bool ProfileDocument::exportAs(const QString &path, engine::tools::ExportFormat format, QStringList *warnings,
                               QString *error) const
{
    const exporter::ExportResult exported = engine::tools::exportProfile(m_profile, format);
    *warnings = exported.warnings;
    return writeAtomically(path, exported.text, error);
}

bool ProfileDocument::writeTo(const QString &path, QString *error) const
{
    return writeAtomically(path, profile::writeProfileYaml(m_profile), error);
}

void ProfileDocument::watch(const QString &path)
{
    if (!m_watcher.files().isEmpty()) {
        m_watcher.removePaths(m_watcher.files());
    }
    if (!path.isEmpty() && QFileInfo::exists(path)) {
        m_watcher.addPath(path);
    }
}

void ProfileDocument::onFileChanged()
{
    // Editors and QSaveFile replace the file: the watch follows the path, not the old inode.
    watch(m_path);
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        return; // removed or being replaced: the next change tells
    }
    const QByteArray content = file.readAll();
    if (content == m_diskContent) {
        return; // our own save
    }
    m_diskContent = content;
    Q_EMIT changedOnDisk();
}

} // namespace gatehouse::ui
