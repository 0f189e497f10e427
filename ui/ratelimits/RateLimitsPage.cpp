#include "RateLimitsPage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "engine/core/Gateway.h"
#include "engine/profile/Units.h"
#include "ui/document/ProfileDocument.h"
#include "ui/ratelimits/RateLimitDialog.h"

namespace gatehouse::ui {

RateLimitsPage::RateLimitsPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_document(document)
    , m_tree(new QTreeWidget(this))
    , m_message(new QLabel(this))
{
    m_tree->setObjectName(QStringLiteral("rateLimits"));
    m_tree->setHeaderLabels({ tr("Rate limit"), tr("Allows"), tr("Counted"), tr("Store"), tr("Used by") });
    m_tree->setRootIsDecorated(false);
    m_tree->setAlternatingRowColors(true);
    m_message->setObjectName(QStringLiteral("rateLimitsMessage"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b00020;"));
    auto *add = new QPushButton(tr("Add rate limit…"), this);
    add->setObjectName(QStringLiteral("actionAddRateLimit"));
    auto *edit = new QPushButton(tr("Edit…"), this);
    edit->setObjectName(QStringLiteral("actionEditRateLimit"));
    auto *remove = new QPushButton(tr("Delete"), this);
    remove->setObjectName(QStringLiteral("actionDeleteRateLimit"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(edit);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_message);
    connect(add, &QPushButton::clicked, this, [this] { openEditor(-1); });
    connect(edit, &QPushButton::clicked, this, [this] {
        if (selectedIndex() >= 0) {
            openEditor(selectedIndex());
        }
    });
    connect(remove, &QPushButton::clicked, this, [this] { deleteLimit(selectedIndex()); });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this] { openEditor(selectedIndex()); });
    connect(&m_document, &ProfileDocument::changed, this, &RateLimitsPage::refresh);
    refresh();
}

void RateLimitsPage::refresh()
{
    m_tree->clear();
    const QList<engine::StoreStatus> stores = m_gateway.storeStatus();
    for (const profile::RateLimitProfile &limit : m_document.profile().rateLimits) {
        QStringList users;
        for (const profile::Route &route : m_document.profile().routes) {
            if (route.rateLimit.contains(limit.name)) {
                users.append(route.name);
            }
        }
        QString store = limit.store;
        for (const engine::StoreStatus &status : stores) {
            if (status.url == limit.store && !status.available) {
                store += tr(" (not answering)");
            }
        }
        const QString allows = limit.burst > 0 ? tr("%1 per %2, burst %3").arg(limit.requests).arg(profile::formatDuration(limit.per)).arg(limit.burst)
                                               : tr("%1 per %2").arg(limit.requests).arg(profile::formatDuration(limit.per));
        new QTreeWidgetItem(m_tree, { limit.name, allows, limit.key, store, users.isEmpty() ? tr("no route") : users.join(QStringLiteral(", ")) });
    }
}

int RateLimitsPage::selectedIndex() const
{
    const QList<QTreeWidgetItem *> items = m_tree->selectedItems();
    return items.isEmpty() ? -1 : m_tree->indexOfTopLevelItem(items.first());
}

RateLimitDialog *RateLimitsPage::openEditor(int index)
{
    auto *dialog = new RateLimitDialog(m_document.profile(), index, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, index] {
        const profile::Profile next = dialog->result();
        const QString name = index < 0 ? next.rateLimits.last().name : next.rateLimits.at(index).name;
        QStringList problems;
        if (!m_document.edit(index < 0 ? tr("Add rate limit %1").arg(name) : tr("Edit rate limit %1").arg(name), next, &problems)) {
            m_message->setText(problems.join(QLatin1Char('\n')));
        } else {
            m_message->clear();
        }
    });
    dialog->open();
    return dialog;
}

bool RateLimitsPage::deleteLimit(int index)
{
    if (index < 0 || index >= m_document.profile().rateLimits.size()) {
        return false;
    }
    profile::Profile next = m_document.profile();
    const QString name = next.rateLimits.at(index).name;
    next.rateLimits.removeAt(index);
    QStringList problems;
    if (!m_document.edit(tr("Delete rate limit %1").arg(name), next, &problems)) {
        m_message->setText(tr("%1 cannot be deleted: %2").arg(name, problems.join(QStringLiteral("; "))));
        return false;
    }
    m_message->clear();
    return true;
}

} // namespace gatehouse::ui
