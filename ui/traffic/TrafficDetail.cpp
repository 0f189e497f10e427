#include "TrafficDetail.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTextBrowser>
#include <QTreeWidget>

#include "ui/traffic/EventHeaders.h"
#include "ui/traffic/EventOverview.h"

namespace gatehouse::ui {

namespace {

QTreeWidget *headerTree(const QString &objectName, QWidget *parent)
{
    auto *tree = new QTreeWidget(parent);
    tree->setObjectName(objectName);
    tree->setHeaderLabels({ QStringLiteral("Name"), QStringLiteral("Value") });
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree->header()->setStretchLastSection(true);
    tree->setColumnWidth(0, tree->fontMetrics().horizontalAdvance(QStringLiteral("Access-Control-Allow-Origin")));
    return tree;
}

void fillHeaders(QTreeWidget *tree, const std::optional<HeaderList> &headers, const QString &unavailable)
{
    tree->clear();
    if (!headers) {
        // One spanning row says why, so an empty list is never mistaken for "no headers sent".
        auto *note = new QTreeWidgetItem(tree, { unavailable });
        note->setFirstColumnSpanned(true);
        note->setFlags(Qt::ItemIsEnabled);
        note->setForeground(0, tree->palette().brush(QPalette::Disabled, QPalette::Text));
        return;
    }
    QList<QTreeWidgetItem *> items;
    items.reserve(headers->size());
    for (const auto &[name, value] : *headers) {
        auto *item = new QTreeWidgetItem({ name, value });
        item->setToolTip(1, value);
        items.append(item);
    }
    tree->addTopLevelItems(items);
}

QString bodyNote()
{
    return QStringLiteral("Bodies are not captured: Gatehouse streams them through without keeping a copy, "
                          "so there is no preview.");
}

} // namespace

TrafficDetail::TrafficDetail(QWidget *parent)
    : QTabWidget(parent)
    , m_overview(new QTextBrowser(this))
    , m_requestHeaders(headerTree(QStringLiteral("trafficRequestHeaders"), this))
    , m_responseHeaders(headerTree(QStringLiteral("trafficResponseHeaders"), this))
    , m_body(new QLabel(this))
{
    setObjectName(QStringLiteral("trafficDetail"));
    setDocumentMode(true);
    m_overview->setObjectName(QStringLiteral("trafficOverview"));
    m_overview->setOpenLinks(false);
    m_body->setObjectName(QStringLiteral("trafficBody"));
    m_body->setWordWrap(true);
    m_body->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_body->setMargin(8);
    m_body->setTextInteractionFlags(Qt::TextSelectableByMouse);
    addTab(m_overview, QStringLiteral("Overview"));
    addTab(m_requestHeaders, QStringLiteral("Request headers"));
    addTab(m_responseHeaders, QStringLiteral("Response headers"));
    addTab(m_body, QStringLiteral("Body"));
    showNothing();
}

void TrafficDetail::showRequest(const engine::TrafficEvent &request)
{
    const std::optional<engine::RouteExplanation> why = m_explainer ? m_explainer(request) : std::nullopt;
    m_overview->setHtml(overviewHtml(request, why ? &*why : nullptr));
    fillHeaders(m_requestHeaders, requestHeaders(request), headersUnavailableReason(request, HeaderSide::Request));
    fillHeaders(m_responseHeaders, responseHeaders(request), headersUnavailableReason(request, HeaderSide::Response));
    const QLocale locale;
    m_body->setText(bodyNote()
                    + QStringLiteral("\n\nThis request sent %1 bytes of body and received %2.")
                          .arg(locale.toString(request.bytesIn), locale.toString(request.bytesOut)));
}

void TrafficDetail::showNothing()
{
    m_overview->setPlainText(QStringLiteral("Select a request to see its details."));
    m_requestHeaders->clear();
    m_responseHeaders->clear();
    m_body->setText(bodyNote());
}

} // namespace gatehouse::ui
