#include "RouteListModel.h"

#include <QApplication>
#include <QPalette>
#include <QStringList>

#include "ui/document/ProfileDocument.h"

namespace gatehouse::ui {

RouteListModel::RouteListModel(ProfileDocument &document, QObject *parent)
    : QAbstractTableModel(parent)
    , m_document(document)
    , m_routes(document.profile().routes)
{
    connect(&m_document, &ProfileDocument::changed, this, &RouteListModel::reload);
}

bool RouteListModel::isRow(const QModelIndex &index) const
{
    return index.isValid() && index.model() == this && !index.parent().isValid() && index.row() < m_routes.size()
        && index.column() < ColumnCount;
}

int RouteListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_routes.size());
}

int RouteListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RouteListModel::data(const QModelIndex &index, int role) const
{
    if (!isRow(index)) {
        return {};
    }
    const profile::Route &route = m_routes.at(index.row());
    if (role == Qt::CheckStateRole && index.column() == Enabled) {
        return route.enabled ? Qt::Checked : Qt::Unchecked;
    }
    if (role == Qt::ForegroundRole && !route.enabled) {
        // Disabled routes stay listed (they are still in the profile) but read as inactive.
        return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
    }
    if (role == Qt::ToolTipRole && index.column() == Enabled) {
        return route.enabled ? tr("Served") : tr("Disabled: kept in the profile but not served");
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) {
        return {};
    }
    switch (index.column()) {
    case Name:
        return route.name;
    case Match:
        return matchText(route.match);
    case Target:
        return targetText(route);
    case Auth: {
        if (route.auth.isEmpty()) {
            return tr("public");
        }
        QStringList claims;
        for (const auto &[claim, value] : route.require) {
            claims.append(QStringLiteral("%1=%2").arg(claim, value));
        }
        return claims.isEmpty() ? route.auth : QStringLiteral("%1 (%2)").arg(route.auth, claims.join(QStringLiteral(", ")));
    }
    case Limits:
        return route.rateLimit.join(QStringLiteral(", "));
    default:
        return {};
    }
}

QVariant RouteListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case Enabled:
        return tr("On");
    case Name:
        return tr("Name");
    case Match:
        return tr("Match");
    case Target:
        return tr("Target");
    case Auth:
        return tr("Auth");
    case Limits:
        return tr("Rate limits");
    default:
        return {};
    }
}

Qt::ItemFlags RouteListModel::flags(const QModelIndex &index) const
{
    if (!isRow(index)) {
        return Qt::NoItemFlags; // views ask about the root too
    }
    const Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    return index.column() == Enabled ? flags | Qt::ItemIsUserCheckable : flags;
}

bool RouteListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::CheckStateRole || index.column() != Enabled || !isRow(index)) {
        return false;
    }
    // No dataChanged here: the document's changed() resets the model with the new profile.
    return setRouteEnabled(index.row(), value.toInt() == Qt::Checked);
}

bool RouteListModel::setRouteEnabled(int row, bool enabled, QStringList *problems)
{
    if (row < 0 || row >= m_routes.size()) {
        return false;
    }
    profile::Profile next = m_document.profile();
    profile::Route &route = next.routes[row];
    if (route.enabled == enabled) {
        return true;
    }
    route.enabled = enabled;
    QStringList refused;
    const QString text = enabled ? tr("Enable route %1") : tr("Disable route %1");
    const bool ok = m_document.edit(text.arg(route.name), next, &refused);
    if (problems) {
        *problems = refused;
    }
    return ok;
}

int RouteListModel::rowOf(const QString &name) const
{
    for (qsizetype row = 0; row < m_routes.size(); ++row) {
        if (m_routes.at(row).name == name) {
            return int(row);
        }
    }
    return -1;
}

QString RouteListModel::matchText(const profile::RouteMatch &match)
{
    QString path;
    switch (match.pathKind) {
    case profile::RouteMatch::PathKind::Prefix:
        // The star says "and below"; the match is by whole segments, as the tooltip of the form says.
        path = match.path + QLatin1Char('*');
        break;
    case profile::RouteMatch::PathKind::Exact:
        path = match.path;
        break;
    case profile::RouteMatch::PathKind::Regex:
        path = QStringLiteral("~ ") + match.path;
        break;
    }
    QString text = match.methods.isEmpty() ? path : match.methods.join(QLatin1Char(',')) + QLatin1Char(' ') + path;
    if (!match.hosts.isEmpty()) {
        text += tr(" on %1").arg(match.hosts.join(QStringLiteral(", ")));
    }
    if (!match.headers.isEmpty()) {
        QStringList headers;
        for (const auto &[name, value] : match.headers) {
            headers.append(QStringLiteral("%1: %2").arg(name, value));
        }
        text += tr(" with %1").arg(headers.join(QStringLiteral(", ")));
    }
    return text;
}

QString RouteListModel::targetText(const profile::Route &route)
{
    if (route.respond) {
        return tr("responds %1").arg(route.respond->status);
    }
    QString text = QStringLiteral("→ %1").arg(route.upstream);
    if (route.canary) {
        text += tr(" (%1% → %2)").arg(route.canary->percent).arg(route.canary->upstream);
    }
    return text;
}

void RouteListModel::reload()
{
    beginResetModel();
    m_routes = m_document.profile().routes;
    endResetModel();
}

} // namespace gatehouse::ui
