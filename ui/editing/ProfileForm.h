#pragma once

#include <functional>
#include <optional>

#include <QDialog>
#include <QString>

#include "engine/profile/Profile.h"
#include "ui/editing/ProfileLists.h"

namespace gatehouse::ui {

// Opens a form over `current` for the entry at `index` of one of its lists (-1: a new one) and
// returns the whole next profile, or nothing when cancelled. Pages take one so that tests can
// drive the form without a nested event loop.
using ProfileForm = std::function<std::optional<profile::Profile>(QWidget *parent, const profile::Profile &current, int index)>;

// Runs `dialog` modally, as the app's own ProfileForm does: its result() when accepted, nothing
// when cancelled.
template<typename Dialog>
std::optional<profile::Profile> execForm(Dialog &dialog)
{
    if (dialog.exec() != QDialog::Accepted) {
        return std::nullopt;
    }
    return dialog.result();
}

// What a form made of one entry: the next profile, the entry's name as the edit's description
// says it (the old name when it was renamed), and the name to select afterwards.
struct FormEdit
{
    profile::Profile next;
    QString name;
    QString select;
};

// Runs `form` over a copy of `current` (the form may run an event loop of its own) for entry
// `index` of `list`, -1 adding one; nothing when it was cancelled or the entry is gone.
template<typename Entry>
std::optional<FormEdit> runForm(const ProfileForm &form, QWidget *parent, profile::Profile current, ProfileList<Entry> list,
                                int index)
{
    std::optional<profile::Profile> next = form(parent, current, index);
    if (!next) {
        return std::nullopt;
    }
    if (index < 0) {
        const QString name = addedName(current.*list, (*next).*list);
        return FormEdit { std::move(*next), name, name };
    }
    if (index >= ((*next).*list).size()) {
        return std::nullopt;
    }
    const QString select = ((*next).*list).at(index).name;
    return FormEdit { std::move(*next), (current.*list).at(index).name, select };
}

} // namespace gatehouse::ui
