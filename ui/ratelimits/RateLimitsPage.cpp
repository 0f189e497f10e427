#include "RateLimitsPage.h"

#include <QTreeWidget>

#include "engine/core/Gateway.h"
#include "engine/profile/Units.h"
#include "ui/document/ProfileDocument.h"
#include "ui/ratelimits/RateLimitDialog.h"

namespace gatehouse::ui {

RateLimitsPage::RateLimitsPage(engine::Gateway &gateway, ProfileDocument &document, QWidget *parent)
    : EntryTreePage(gateway, document, QStringLiteral("rateLimits"), tr("Add rate limit…"), QStringLiteral("RateLimit"),
                    [this](int index) { openEditor(index); }, [this](int index) { deleteLimit(index); }, parent)
{
    m_tree->setHeaderLabels({ tr("Rate limit"), tr("Allows"), tr("Counted"), tr("Store"), tr("Used by") });
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

RateLimitDialog *RateLimitsPage::openEditor(int index)
{
    return openForm(new RateLimitDialog(m_document.profile(), index, this), &profile::Profile::rateLimits, index,
                    tr("Add rate limit %1"), tr("Edit rate limit %1"));
}

bool RateLimitsPage::deleteLimit(int index)
{
    return removeEntry(&profile::Profile::rateLimits, index, tr("Delete rate limit %1"));
}

} // namespace gatehouse::ui
