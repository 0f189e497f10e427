#include "UpstreamsPage.h"

#include <QTimer>
#include <QTreeWidget>

#include "engine/core/Gateway.h"
#include "ui/document/ProfileDocument.h"
#include "ui/editing/EntryButtons.h"
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
    : EntryTreePage(gateway, document, QStringLiteral("upstreams"), tr("Add upstream…"), QStringLiteral("Upstream"),
                    [this](int index) { openEditor(index); }, [this](int index) { deleteUpstream(index); }, parent)
{
    m_tree->setHeaderLabels({ tr("Upstream / target"), tr("State"), tr("In flight"), tr("Latency"), tr("Requests"), tr("Failures") });
    m_tree->setColumnWidth(0, 260);
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this] {
        if (isVisible()) {
            refresh(); // live health and latency, only while someone looks
        }
    });
    timer->start(500);
    refresh();
}

void UpstreamsPage::refresh()
{
    const int selected = selectedEntry(m_tree);
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

UpstreamDialog *UpstreamsPage::openEditor(int index)
{
    return openForm(new UpstreamDialog(m_document.profile(), index, this), &profile::Profile::upstreams, index,
                    tr("Add upstream %1"), tr("Edit upstream %1"));
}

bool UpstreamsPage::deleteUpstream(int index)
{
    // Routes still send traffic there: the reader's own words say which.
    return removeEntry(&profile::Profile::upstreams, index, tr("Delete upstream %1"));
}

} // namespace gatehouse::ui
