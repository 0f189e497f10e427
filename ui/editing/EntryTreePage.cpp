#include "EntryTreePage.h"

#include <QHBoxLayout>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/editing/EntryButtons.h"

namespace gatehouse::ui {

EntryTreePage::EntryTreePage(engine::Gateway &gateway, ProfileDocument &document, const QString &name, const QString &addText,
                             const QString &kind, const std::function<void(int index)> &open,
                             const std::function<void(int index)> &remove, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_document(document)
    , m_tree(new QTreeWidget(this))
    , m_message(new QLabel(this))
{
    m_tree->setObjectName(name);
    m_tree->setRootIsDecorated(false);
    m_tree->setAlternatingRowColors(true);
    m_message->setObjectName(name + QStringLiteral("Message"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b00020;"));
    QHBoxLayout *buttons = entryButtons(this, m_tree, addText, kind, open, remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_message);
    connect(&m_document, &ProfileDocument::changed, this, &EntryTreePage::refresh);
}

} // namespace gatehouse::ui
