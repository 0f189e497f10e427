#pragma once

#include <functional>

#include <QString>

class QHBoxLayout;
class QTreeWidget;
class QWidget;

namespace gatehouse::ui {

// The Add…, Edit… and Delete buttons of a page that shows one of the profile's lists in `tree`,
// one top-level item per entry: Add… calls `open(-1)`, Edit… and a double click `open` the
// selected entry, Delete `remove`s it. `kind` names them for tests (actionAddKind, ...). The
// caller lays out the row, adding its own buttons after these.
QHBoxLayout *entryButtons(QWidget *page, QTreeWidget *tree, const QString &addText, const QString &kind,
                          const std::function<void(int index)> &open, const std::function<void(int index)> &remove);

// The selected entry: the index of the top-level item that is or holds the selection; -1 for none.
int selectedEntry(const QTreeWidget *tree);

} // namespace gatehouse::ui
