#include "UpstreamsPage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "engine/core/Gateway.h"
#include "ui/document/ProfileDocument.h"
#include "ui/upstreams/UpstreamDialog.h"

namespace gatehouse::ui {

namespace {

QString stateText(const engine::TargetStatus &target)
{
    if (target.ejected) {
        return QObject::tr("ejected (%1 s left)").arg((target.ejectedForMs + 999) / 1000);
    }
    if (!target.healthy) {
        return QObject::tr("unhealthy: %1").arg(target.lastCheck);
    }
    return target.checked ? QObject::tr("healthy") : QObject::tr("up");
}

} // namespace

UpstreamsPage::UpstreamsPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_document(document)
    , m_tree(new QTreeWidget(this))
    , m_message(new QLabel(this))
{
    m_tree->setObjectName(QStringLiteral("upstreams"));
    m_tree->setHeaderLabels({ tr("Upstream / target"), tr("State"), tr("In flight"), tr("Latency"), tr("Requests"), tr("Failures") });
    m_tree->setRootIsDecorated(false);
    m_tree->setAlternatingRowColors(true);
    m_tree->setColumnWidth(0, 260);
    m_message->setObjectName(QStringLiteral("upstreamsMessage"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #b00020;"));
    auto *add = new QPushButton(tr("Add upstream…"), this);
    add->setObjectName(QStringLiteral("actionAddUpstream"));
    auto *edit = new QPushButton(tr("Edit…"), this);
    edit->setObjectName(QStringLiteral("actionEditUpstream"));
    auto *remove = new QPushButton(tr("Delete"), this);
    remove->setObjectName(QStringLiteral("actionDeleteUpstream"));
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
    connect(remove, &QPushButton::clicked, this, [this] { deleteUpstream(selectedIndex()); });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this] {
        if (selectedIndex() >= 0) {
            openEditor(selectedIndex());
        }
    });
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this] {
        if (isVisible()) {
            refresh(); // live health and latency, only while someone looks
        }
    });
    timer->start(500);
    connect(&m_document, &ProfileDocument::changed, this, &UpstreamsPage::refresh);
    refresh();
}

void UpstreamsPage::refresh()
{
    const int selected = selectedIndex();
    m_tree->clear();
    // Running state by upstream name; upstreams only in the document show as not running yet.
    const QList<engine::UpstreamStatus> running = m_gateway.upstreamStatus();
    for (const profile::Upstream &upstream : m_document.profile().upstreams) {
        const auto status = std::find_if(running.cbegin(), running.cend(), [&](const engine::UpstreamStatus &s) { return s.name == upstream.name; });
        const QString summary = status == running.cend()
            ? tr("not running")
            : tr("%1, circuit %2").arg(status->balance, status->circuit);
        // The upstream's own row spans the columns: its summary is not a target's state.
        auto *item = new QTreeWidgetItem(m_tree, { QStringLiteral("%1   (%2)").arg(upstream.name, summary) });
        item->setFirstColumnSpanned(true);
        if (status != running.cend()) {
            for (const engine::TargetStatus &target : status->targets) {
                new QTreeWidgetItem(item, { target.url, stateText(target), QString::number(target.inFlight),
                                            QStringLiteral("%1 ms").arg(target.latencyMs, 0, 'f', 1), QString::number(target.requests),
                                            QString::number(target.failures) });
            }
        }
    }
    m_tree->expandAll();
    if (selected >= 0 && selected < m_tree->topLevelItemCount()) {
        m_tree->topLevelItem(selected)->setSelected(true);
    }
}

int UpstreamsPage::selectedIndex() const
{
    const QList<QTreeWidgetItem *> items = m_tree->selectedItems();
    if (items.isEmpty()) {
        return -1;
    }
    QTreeWidgetItem *item = items.first();
    while (item->parent()) {
        item = item->parent();
    }
    return m_tree->indexOfTopLevelItem(item);
}

UpstreamDialog *UpstreamsPage::openEditor(int index)
{
    auto *dialog = new UpstreamDialog(m_document.profile(), index, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, index] {
        const profile::Profile next = dialog->result();
        const QString name = index < 0 ? next.upstreams.last().name : next.upstreams.at(index).name;
        QStringList problems;
        if (!m_document.edit(index < 0 ? tr("Add upstream %1").arg(name) : tr("Edit upstream %1").arg(name), next, &problems)) {
            m_message->setText(problems.join(QLatin1Char('\n')));
        } else {
            m_message->clear();
        }
    });
    dialog->open();
    return dialog;
}

bool UpstreamsPage::deleteUpstream(int index)
{
    if (index < 0 || index >= m_document.profile().upstreams.size()) {
        return false;
    }
    profile::Profile next = m_document.profile();
    const QString name = next.upstreams.at(index).name;
    next.upstreams.removeAt(index);
    QStringList problems;
    if (!m_document.edit(tr("Delete upstream %1").arg(name), next, &problems)) {
        // Routes still send traffic there: the reader's own words say which.
        m_message->setText(tr("%1 cannot be deleted: %2").arg(name, problems.join(QStringLiteral("; "))));
        return false;
    }
    m_message->clear();
    return true;
}

} // namespace gatehouse::ui
