#pragma once

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUndoStack>

#include "engine/core/EngineTools.h"
#include "engine/profile/Profile.h"

namespace gatehouse::ui {

// The profile the app edits: its file, its undo history and whether it has unsaved changes.
// Every change is a whole new profile validated by the same reader as `gatehouse check` before it
// is accepted, so an invalid edit changes nothing; accepted ones are undoable snapshots.
class ProfileDocument final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProfileDocument)
public:
    explicit ProfileDocument(QObject *parent = nullptr);
    ~ProfileDocument() override;

    // Reads `path`; when it is invalid, `problems` says why (FILE:LINE:COL: message) and the
    // document stays as it was.
    bool open(const QString &path, QStringList *problems);
    // An unsaved profile (File → New, or the bundled default opened read-only elsewhere).
    void reset(const profile::Profile &profile, const QString &path = {});
    // Atomic (QSaveFile): a crash mid-write leaves the old file whole.
    bool save(QString *error);
    bool saveAs(const QString &path, QString *error);
    // Replaces the content with another file's, as one undoable edit; the document's own file stays.
    bool importFrom(const QString &path, QStringList *problems);
    // The same from a Kong (decK) file; `notMapped` gets what did not map, one line each with
    // the decK file's position, also when nothing was imported.
    bool importKong(const QString &path, QStringList *notMapped, QStringList *problems);
    // Writes the canonical YAML elsewhere; the document's file and state stay.
    bool exportTo(const QString &path, QString *error) const;
    // Writes it as an nginx or Kong config; `warnings` gets what that config cannot express.
    bool exportAs(const QString &path, engine::tools::ExportFormat format, QStringList *warnings, QString *error) const;
    // The file changed on disk (changedOnDisk()): take its content, dropping unsaved changes.
    bool reloadFromDisk(QStringList *problems);

    // Validates `next` and, when it is valid, makes it the profile as one undoable step.
    bool edit(const QString &description, const profile::Profile &next, QStringList *problems);
    // What `gatehouse check` would say about a profile (messages only: the form shows them).
    static QStringList problemsOf(const profile::Profile &candidate);

    const profile::Profile &profile() const { return m_profile; }
    QString path() const { return m_path; }
    QString displayName() const;
    bool isModified() const { return !m_undo.isClean(); }
    QUndoStack *undoStack() { return &m_undo; }

Q_SIGNALS:
    void changed(); // the profile's content: an edit, undo, redo, open or reload
    void modifiedChanged(bool modified);
    void pathChanged(const QString &path);
    void changedOnDisk(); // another program wrote the file; offer reloadFromDisk()

private:
    class Snapshot;
    void setProfile(const profile::Profile &profile);
    bool writeTo(const QString &path, QString *error) const;
    bool adopt(const QString &description, profile::Profile next, QStringList *problems);
    void watch(const QString &path);
    void onFileChanged();

    profile::Profile m_profile;
    QString m_path;
    QUndoStack m_undo;
    QFileSystemWatcher m_watcher;
    QByteArray m_diskContent; // what we last read or wrote, to tell our own writes from others'
};

} // namespace gatehouse::ui
