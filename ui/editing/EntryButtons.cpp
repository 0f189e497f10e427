#include "EntryButtons.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QTreeWidget>

namespace gatehouse::ui {

QHBoxLayout *entryButtons(QWidget *page, QTreeWidget *tree, const QString &addText, const QString &kind,
                          const std::function<void(int index)> &open, const std::function<void(int index)> &remove)
{
    auto *add = new QPushButton(addText, page);
    add->setObjectName(QStringLiteral("actionAdd") + kind);
    auto *edit = new QPushButton(QObject::tr("Edit…"), page);
    edit->setObjectName(QStringLiteral("actionEdit") + kind);
    auto *del = new QPushButton(QObject::tr("Delete"), page);
    del->setObjectName(QStringLiteral("actionDelete") + kind);
    const auto openSelected = [tree, open] {
        if (const int index = selectedEntry(tree); index >= 0) {
            open(index);
        }
    };
    QObject::connect(add, &QPushButton::clicked, page, [open] { open(-1); });
    QObject::connect(edit, &QPushButton::clicked, page, openSelected);
    QObject::connect(del, &QPushButton::clicked, page, [tree, remove] { remove(selectedEntry(tree)); });
    QObject::connect(tree, &QTreeWidget::itemDoubleClicked, page, openSelected);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(edit);
    buttons->addWidget(del);
    return buttons;
}

int selectedEntry(const QTreeWidget *tree)
{
    const QList<QTreeWidgetItem *> items = tree->selectedItems();
    if (items.isEmpty()) {
        return -1;
    }
    QTreeWidgetItem *item = items.first();
    while (item->parent()) {
        item = item->parent();
    }
    return tree->indexOfTopLevelItem(item);
}

} // namespace gatehouse::ui
