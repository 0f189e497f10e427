#pragma once

#include <QAction>
#include <QString>

namespace gatehouse::ui {

// An action of an editor page, for its toolbar and its table's context menu, calling `slot`.
// Its shortcut works only while the page has focus: the main window has its own Delete, Return
// and arrows elsewhere.
template<typename Page>
QAction *addPageAction(Page *page, const char *objectName, const QString &text, void (Page::*slot)())
{
    auto *action = new QAction(text, page);
    action->setObjectName(QString::fromLatin1(objectName));
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    page->addAction(action);
    QObject::connect(action, &QAction::triggered, page, slot);
    return action;
}

} // namespace gatehouse::ui
