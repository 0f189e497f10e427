#include "ChartsView.h"

#include <algorithm>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

namespace gatehouse::ui {

namespace {
constexpr int kLatencyWindowSeconds = 10;

// The y axis grows with the data but never jitters below a readable minimum.
double niceMax(double value, double floor)
{
    const double target = std::max(value * 1.15, floor);
    double step = 1;
    while (step * 10 < target) {
        step *= 10;
    }
    for (const double m : { 1.0, 2.0, 5.0, 10.0 }) {
        if (step * m >= target) {
            return step * m;
        }
    }
    return target;
}
} // namespace

ChartsView::ChartsView(QWidget *parent)
    : QWidget(parent)
    , m_nowMs([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_route = new QComboBox(this);
    m_route->setObjectName(QStringLiteral("chartsRoute"));
    m_route->addItem(tr("All routes"), QString());
    m_route->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_rate = makeChart(tr("Requests per second"), tr("req/s"), { tr("all") }, QStringLiteral("chartRate"));
    m_status = makeChart(tr("Requests per second by status"), tr("req/s"), { QStringLiteral("2xx"), QStringLiteral("3xx"), QStringLiteral("4xx"), QStringLiteral("5xx") },
                         QStringLiteral("chartStatus"));
    m_latency = makeChart(tr("Latency (sliding %1 s)").arg(kLatencyWindowSeconds), tr("ms"), { QStringLiteral("p50"), QStringLiteral("p95"), QStringLiteral("p99") },
                          QStringLiteral("chartLatency"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Latency of"), this));
    bar->addWidget(m_route);
    bar->addStretch(1);
    bar->addWidget(new QLabel(tr("Last 5 minutes"), this));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_rate.view, 1);
    layout->addWidget(m_status.view, 1);
    layout->addWidget(m_latency.view, 1);

    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &ChartsView::refresh);
    connect(m_route, &QComboBox::currentIndexChanged, this, &ChartsView::refresh);
}

ChartsView::Chart ChartsView::makeChart(const QString &title, const QString &unit, const QStringList &lineNames, const QString &objectName)
{
    Chart chart;
    auto *qchart = new QChart;
    qchart->setTitle(title);
    qchart->legend()->setVisible(lineNames.size() > 1);
    qchart->legend()->setAlignment(Qt::AlignRight);
    qchart->setMargins(QMargins(4, 4, 4, 4));
    chart.x = new QValueAxis;
    chart.x->setRange(-TrafficSeries::kSeconds, 0);
    chart.x->setLabelFormat(QStringLiteral("%d s"));
    chart.x->setTickCount(6);
    chart.y = new QValueAxis;
    chart.y->setRange(0, 10);
    chart.y->setTitleText(unit);
    chart.y->setLabelFormat(QStringLiteral("%g"));
    qchart->addAxis(chart.x, Qt::AlignBottom);
    qchart->addAxis(chart.y, Qt::AlignLeft);
    for (const QString &name : lineNames) {
        auto *line = new QLineSeries;
        line->setName(name);
        qchart->addSeries(line);
        line->attachAxis(chart.x);
        line->attachAxis(chart.y);
        chart.lines.append(line);
    }
    chart.view = new QChartView(qchart, this);
    chart.view->setObjectName(objectName);
    chart.view->setRenderHint(QPainter::Antialiasing);
    chart.view->setMinimumHeight(150);
    return chart;
}

void ChartsView::addBatch(const QList<engine::TrafficEvent> &events)
{
    m_series.add(events);
}

void ChartsView::clear()
{
    m_series.clear();
    refresh();
}

void ChartsView::updateRoutes()
{
    const QStringList routes = m_series.routes();
    for (const QString &route : routes) {
        if (!route.isEmpty() && m_route->findData(route) < 0) {
            m_route->addItem(route, route);
        }
    }
}

void ChartsView::refresh()
{
    updateRoutes();
    const qint64 now = m_nowMs() / 1000;
    const QList<TrafficSeries::Point> points = m_series.points(now);
    QList<QPointF> total;
    std::array<QList<QPointF>, 4> byClass;
    double maxRate = 0;
    for (const TrafficSeries::Point &p : points) {
        const double x = double(p.second - now);
        total.append({ x, double(p.total()) });
        maxRate = std::max(maxRate, double(p.total()));
        for (std::size_t c = 0; c < 4; ++c) {
            byClass[c].append({ x, double(p.statusClasses[c + 1]) });
        }
    }
    m_rate.lines[0]->replace(total);
    for (std::size_t c = 0; c < 4; ++c) {
        m_status.lines[qsizetype(c)]->replace(byClass[c]);
    }
    m_rate.y->setRange(0, niceMax(maxRate, 5));
    m_status.y->setRange(0, niceMax(maxRate, 5));

    const QList<TrafficSeries::Quantiles> quantiles = m_series.quantiles(m_route->currentData().toString(), now, kLatencyWindowSeconds);
    std::array<QList<QPointF>, 3> lines;
    double maxMs = 0;
    for (qsizetype i = 0; i < quantiles.size(); ++i) {
        const TrafficSeries::Quantiles &q = quantiles.at(i);
        if (q.count == 0) {
            continue; // no requests, no latency: a gap rather than a drop to zero
        }
        const double x = double(points.at(i).second - now);
        lines[0].append({ x, q.p50 });
        lines[1].append({ x, q.p95 });
        lines[2].append({ x, q.p99 });
        maxMs = std::max(maxMs, q.p99);
    }
    for (std::size_t i = 0; i < 3; ++i) {
        m_latency.lines[qsizetype(i)]->replace(lines[i]);
    }
    m_latency.y->setRange(0, niceMax(maxMs, 1));
}

void ChartsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer.start();
}

void ChartsView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer.stop(); // nothing to draw for nobody
}

} // namespace gatehouse::ui
