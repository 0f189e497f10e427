#pragma once

class QTableView;

namespace gatehouse::ui {

// A table of one profile list's entries on an editor page: whole rows, one at a time, changed
// only through the page's form (never in place), with the page's actions as its context menu.
void setUpEntryTable(QTableView *table);

} // namespace gatehouse::ui
