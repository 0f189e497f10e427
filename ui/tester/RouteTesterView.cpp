#include "RouteTesterView.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "engine/core/Gateway.h"

namespace gatehouse::ui {

namespace {
constexpr int kHeaderRows = 4;
}

RouteTesterView::RouteTesterView(engine::Gateway &gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_method(new QComboBox(this))
    , m_url(new QLineEdit(this))
    , m_headers(new QTableWidget(kHeaderRows, 2, this))
    , m_result(new QLabel(this))
    , m_routes(new QTreeWidget(this))
{
    m_method->setObjectName(QStringLiteral("testerMethod"));
    m_method->setEditable(true);
    m_method->addItems({ QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"), QStringLiteral("PATCH"),
                         QStringLiteral("DELETE"), QStringLiteral("HEAD"), QStringLiteral("OPTIONS") });
    m_url->setObjectName(QStringLiteral("testerUrl"));
    m_url->setPlaceholderText(tr("http://localhost:8080/api/users/42  or  /api/users/42"));
    m_url->setClearButtonEnabled(true);
    m_headers->setObjectName(QStringLiteral("testerHeaders"));
    m_headers->setHorizontalHeaderLabels({ tr("Header"), tr("Value") });
    m_headers->horizontalHeader()->setStretchLastSection(true);
    m_headers->verticalHeader()->hide();
    m_headers->setMaximumHeight(m_headers->verticalHeader()->defaultSectionSize() * (kHeaderRows + 1) + 4);
    m_result->setObjectName(QStringLiteral("testerResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_routes->setObjectName(QStringLiteral("testerRoutes"));
    m_routes->setHeaderLabels({ tr("Route (in precedence order)"), tr("Verdict") });
    m_routes->setRootIsDecorated(false);
    m_routes->setWordWrap(true);
    m_routes->header()->setStretchLastSection(true);
    m_routes->setColumnWidth(0, 220);

    auto *form = new QFormLayout;
    form->addRow(tr("Method"), m_method);
    form->addRow(tr("URL"), m_url);
    form->addRow(tr("Headers"), m_headers);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(m_routes, 1);

    connect(m_method, &QComboBox::currentTextChanged, this, &RouteTesterView::evaluate);
    connect(m_url, &QLineEdit::textChanged, this, &RouteTesterView::evaluate);
    connect(m_headers, &QTableWidget::cellChanged, this, &RouteTesterView::evaluate);
    connect(&m_gateway, &engine::Gateway::started, this, &RouteTesterView::evaluate);
    connect(&m_gateway, &engine::Gateway::profileApplied, this, &RouteTesterView::evaluate);
    evaluate();
}

void RouteTesterView::setRequest(const QString &method, const QString &url)
{
    m_method->setCurrentText(method);
    m_url->setText(url);
}

void RouteTesterView::evaluate()
{
    m_routes->clear();
    if (m_url->text().trimmed().isEmpty()) {
        m_result->setText(tr("Type a URL to see which route takes it. Nothing is sent."));
        return;
    }
    QList<engine::http::Header> headers;
    for (int row = 0; row < m_headers->rowCount(); ++row) {
        const QTableWidgetItem *name = m_headers->item(row, 0);
        const QTableWidgetItem *value = m_headers->item(row, 1);
        if (name && !name->text().trimmed().isEmpty()) {
            headers.append({ name->text().trimmed().toLatin1(), value ? value->text().trimmed().toUtf8() : QByteArray() });
        }
    }
    const engine::RouteExplanation e = m_gateway.explainRoute(m_method->currentText().toLatin1(), m_url->text(), headers);
    if (!e.error.isEmpty()) {
        m_result->setText(e.error);
        return;
    }
    if (e.chosen.isEmpty()) {
        m_result->setText(e.status == 405 ? tr("No route: 405 Method Not Allowed (Allow: %1)")
                                                .arg(QString::fromLatin1(e.allowedMethods.join(", ")))
                                          : tr("No route: 404 Not Found"));
    } else if (e.upstream.isEmpty()) {
        m_result->setText(tr("Route <b>%1</b> answers by itself with %2.").arg(e.chosen.toHtmlEscaped()).arg(e.respondStatus));
    } else {
        m_result->setText(tr("Route <b>%1</b> → upstream <b>%2</b>, which sees <code>%3</code>")
                              .arg(e.chosen.toHtmlEscaped(), e.upstream.toHtmlEscaped(),
                                   QString::fromUtf8(e.upstreamPath).toHtmlEscaped()));
    }
    for (const engine::RouteVerdict &verdict : e.routes) {
        const QString summary = verdict.chosen ? tr("✔ takes it: %1") : verdict.matches ? tr("• %1") : tr("✘ %1");
        auto *item = new QTreeWidgetItem(m_routes, { verdict.route, summary.arg(verdict.reasons.join(QStringLiteral("; "))) });
        if (verdict.chosen) {
            QFont bold = item->font(0);
            bold.setBold(true);
            item->setFont(0, bold);
            item->setFont(1, bold);
        }
    }
}

} // namespace gatehouse::ui
