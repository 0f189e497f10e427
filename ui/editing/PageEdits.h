#pragma once

#include <functional>
#include <optional>

#include <QDialog>
#include <QString>

#include "engine/profile/Profile.h"
#include "ui/document/ProfileDocument.h"
#include "ui/editing/ProfileLists.h"

class QLabel;

// How a page with a message line edits the document: the document checks every edit as
// `gatehouse check` does, and what it refuses is said in the message line, in the reader's own words.
namespace gatehouse::ui {

// Applies `next` as one undoable edit; `message` then shows the problems, or nothing when it took.
bool applyEdit(ProfileDocument &document, const QString &description, const profile::Profile &next, QLabel *message);

// Describes the edit a form makes, from the next profile it returns.
using DescribeEdit = std::function<QString(const profile::Profile &next)>;

// `added` or `edited` ("Add upstream %1") with the name entry `index` of `list` has in the next
// profile; a new entry (`index` < 0) is the last one.
template<typename Entry>
DescribeEdit describeEntryEdit(ProfileList<Entry> list, int index, const QString &added, const QString &edited)
{
    return [list, index, added, edited](const profile::Profile &next) {
        const QList<Entry> &entries = next.*list;
        return (index < 0 ? added : edited).arg(entryName(index < 0 ? entries.last() : entries.at(index)));
    };
}

// Opens `dialog` window-modal, not in a nested event loop, and deleted on close; its OK applies
// `result()` through applyEdit().
void openEditDialog(QDialog *dialog, std::function<profile::Profile()> result, ProfileDocument &document, QLabel *message,
                    DescribeEdit describe);

// The same for a form with a result(); returned so tests can fill it in.
template<typename Dialog>
Dialog *openEditDialog(Dialog *dialog, ProfileDocument &document, QLabel *message, DescribeEdit describe)
{
    openEditDialog(static_cast<QDialog *>(dialog), [dialog] { return dialog->result(); }, document, message, std::move(describe));
    return dialog;
}

// Applies `next`, the profile without the entry called `name`; when the document refuses (the
// profile still uses it) `message` says what could not be deleted and why.
bool applyDeletion(ProfileDocument &document, const QString &description, const profile::Profile &next, const QString &name,
                   QLabel *message);

// Deletes entry `index` of `list` through applyDeletion(), described by `description` with the
// entry's name for %1; false also when there is no such entry.
template<typename Entry>
bool deleteEntry(ProfileDocument &document, ProfileList<Entry> list, int index, const QString &description, QLabel *message)
{
    const std::optional<profile::Profile> next = withoutEntry(document.profile(), list, index);
    if (!next) {
        return false;
    }
    const QString name = entryName((document.profile().*list).at(index));
    return applyDeletion(document, description.arg(name), *next, name, message);
}

} // namespace gatehouse::ui
