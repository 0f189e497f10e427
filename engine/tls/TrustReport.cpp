#include "TrustReport.h"

#include <algorithm>

namespace gatehouse::engine::tls {

QString StoreOutcome::line() const
{
    switch (kind) {
    case Added:
        return QStringLiteral("added to %1").arg(store);
    case AlreadyTrusted:
        return QStringLiteral("already trusted in %1").arg(store);
    case Removed:
        return QStringLiteral("removed from %1").arg(store);
    case NotPresent:
        return QStringLiteral("not present in %1").arg(store);
    case Skipped:
        return QStringLiteral("skipped %1: %2").arg(store, detail);
    case Failed:
        break;
    }
    return QStringLiteral("failed: %1: %2").arg(store, detail);
}

bool TrustReport::failed() const
{
    return !error.isEmpty()
        || std::any_of(stores.cbegin(), stores.cend(), [](const StoreOutcome &s) { return s.kind == StoreOutcome::Failed; });
}

QStringList TrustReport::lines() const
{
    if (!error.isEmpty()) {
        return { error };
    }
    QStringList lines;
    for (const StoreOutcome &store : stores) {
        lines.append(store.line());
    }
    return lines;
}

} // namespace gatehouse::engine::tls
