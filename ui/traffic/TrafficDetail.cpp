#include "TrafficDetail.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/traffic/BodyPreview.h"
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

void showBody(QLabel *summary, QPlainTextEdit *text, const BodyPreview &preview)
{
    summary->setText(preview.summary);
    text->setPlainText(preview.text);
    text->setVisible(!preview.text.isEmpty());
    text->setLineWrapMode(preview.hexDump ? QPlainTextEdit::NoWrap : QPlainTextEdit::WidgetWidth);
}

} // namespace

TrafficDetail::TrafficDetail(QWidget *parent)
    : QTabWidget(parent)
    , m_overview(new QTextBrowser(this))
    , m_requestHeaders(headerTree(QStringLiteral("trafficRequestHeaders"), this))
    , m_responseHeaders(headerTree(QStringLiteral("trafficResponseHeaders"), this))
{
    setObjectName(QStringLiteral("trafficDetail"));
    setDocumentMode(true);
    m_overview->setObjectName(QStringLiteral("trafficOverview"));
    m_overview->setOpenLinks(false);
    addTab(m_overview, QStringLiteral("Overview"));
    addTab(m_requestHeaders, QStringLiteral("Request headers"));
    addTab(m_responseHeaders, QStringLiteral("Response headers"));
    addTab(createBodies(), QStringLiteral("Body"));
    showNothing();
}

QWidget *TrafficDetail::createBodies()
{
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("trafficBodies"));
    splitter->setChildrenCollapsible(false);
    m_requestBody = createBodyPane(QStringLiteral("trafficRequestBody"), QStringLiteral("Request body"), splitter);
    m_responseBody = createBodyPane(QStringLiteral("trafficResponseBody"), QStringLiteral("Response body"), splitter);
    return splitter;
}

TrafficDetail::BodyPane TrafficDetail::createBodyPane(const QString &name, const QString &title, QWidget *parent)
{
    auto *pane = new QWidget(parent);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(8, 6, 8, 4);
    layout->setSpacing(4);
    auto *summary = new QLabel(pane);
    summary->setObjectName(name + QStringLiteral("Summary"));
    summary->setWordWrap(true);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary->setTextFormat(Qt::PlainText);
    auto *heading = new QLabel(QStringLiteral("<b>%1</b>").arg(title), pane);
    layout->addWidget(heading);
    layout->addWidget(summary);
    auto *text = new QPlainTextEdit(pane);
    text->setObjectName(name);
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(text, 1);
    return { summary, text };
}

void TrafficDetail::showRequest(const engine::TrafficEvent &request)
{
    const std::optional<engine::RouteExplanation> why = m_explainer ? m_explainer(request) : std::nullopt;
    m_overview->setHtml(overviewHtml(request, why ? &*why : nullptr));
    fillHeaders(m_requestHeaders, requestHeaders(request), headersUnavailableReason(request, HeaderSide::Request));
    fillHeaders(m_responseHeaders, responseHeaders(request), headersUnavailableReason(request, HeaderSide::Response));
    showBody(m_requestBody.summary, m_requestBody.text, previewBody(request, BodySide::Request, m_bodyPolicy));
    showBody(m_responseBody.summary, m_responseBody.text, previewBody(request, BodySide::Response, m_bodyPolicy));
}

void TrafficDetail::showNothing()
{
    m_overview->setPlainText(QStringLiteral("Select a request to see its details."));
    m_requestHeaders->clear();
    m_responseHeaders->clear();
    for (const BodyPane &pane : { m_requestBody, m_responseBody }) {
        showBody(pane.summary, pane.text, { QStringLiteral("Select a request to see its body."), {}, false });
    }
}

} // namespace gatehouse::ui
