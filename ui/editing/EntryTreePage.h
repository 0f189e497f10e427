#pragma once

#include <functional>

#include <QLabel>
#include <QWidget>

#include "ui/editing/PageEdits.h"

class QTreeWidget;

namespace gatehouse::engine {
class Gateway;
}

namespace gatehouse::ui {

class ProfileDocument;

// A page that shows one of the profile's lists as a tree, one top-level item per entry: Add…,
// Edit… and Delete above it, and under it a line for what the document refused, cleared by the
// next change of the page's that goes through.
class EntryTreePage : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EntryTreePage)
public:
    // Fills the tree again from the document and the engine; every change of the document calls it.
    virtual void refresh() = 0;

protected:
    // `name` names the tree, and name + "Message" the message line; `kind` names the buttons (see
    // entryButtons()), which call `open` and `remove` with an entry's index.
    EntryTreePage(engine::Gateway &gateway, ProfileDocument &document, const QString &name, const QString &addText,
                  const QString &kind, const std::function<void(int index)> &open, const std::function<void(int index)> &remove,
                  QWidget *parent);

    // The form over entry `index` of `list`, -1 for a new one, as openEditDialog() opens it;
    // `added` and `edited` describe the edit ("Add upstream %1").
    template<typename Dialog, typename Entry>
    Dialog *openForm(Dialog *dialog, ProfileList<Entry> list, int index, const QString &added, const QString &edited)
    {
        return openEditDialog(dialog, m_document, m_message, describeEntryEdit(list, index, added, edited));
    }

    // Deletes entry `index` of `list` as deleteEntry() does, and clears the message line when it goes.
    template<typename Entry>
    bool removeEntry(ProfileList<Entry> list, int index, const QString &description)
    {
        const bool deleted = deleteEntry(m_document, list, index, description, m_message);
        if (deleted) {
            m_message->clear();
        }
        return deleted;
    }

    engine::Gateway &m_gateway;
    ProfileDocument &m_document;
    QTreeWidget *m_tree;

private:
    QLabel *m_message;
};

} // namespace gatehouse::ui
