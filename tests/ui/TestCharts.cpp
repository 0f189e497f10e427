// Charts: latency percentiles read from log-bucket histograms (within 5% of the exact sample),
// five minutes of per-second slots that slide without growing, and the chart widgets drawing them.

#include <algorithm>
#include <cmath>
#include <random>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLineSeries>
#include <QTest>

#include "ui/charts/ChartsView.h"
#include "ui/charts/LatencyHistogram.h"
#include "ui/charts/TrafficSeries.h"

using gatehouse::engine::TrafficEvent;
using gatehouse::ui::ChartsView;
using gatehouse::ui::LatencyHistogram;
using gatehouse::ui::TrafficSeries;

namespace {

constexpr qint64 kNow = 1'800'000'000; // seconds

TrafficEvent finished(qint64 second, int status, double ms, const QString &route)
{
    TrafficEvent e;
    e.timeMs = second * 1000 + 100;
    e.status = status;
    e.totalMs = ms;
    e.route = route;
    return e;
}

double exactQuantile(std::vector<double> samples, double q)
{
    std::sort(samples.begin(), samples.end());
    const auto rank = std::size_t(std::max(1.0, std::ceil(q * double(samples.size()))));
    return samples[rank - 1];
}

QList<QPointF> pointsOf(ChartsView &view, const char *chart, int line)
{
    auto *chartView = view.findChild<QChartView *>(QString::fromLatin1(chart));
    return chartView ? static_cast<QLineSeries *>(chartView->chart()->series().at(line))->points() : QList<QPointF>();
}

} // namespace

class TestCharts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void histogramQuantilesAreClose();
    void histogramEdges();
    void seriesCountsPerSecondAndClass();
    void seriesSlidesWithoutGrowing();
    void seriesLatencyPerRoute();
    void chartsDrawTheSeries();
};

void TestCharts::histogramQuantilesAreClose()
{
    std::mt19937 rng(7);
    std::lognormal_distribution<double> latency(2.0, 1.0); // a long tail, like real traffic
    std::vector<double> samples;
    LatencyHistogram histogram;
    for (int i = 0; i < 20000; ++i) {
        const double ms = latency(rng);
        samples.push_back(ms);
        histogram.add(ms);
    }
    QCOMPARE(histogram.count(), quint64(20000));
    for (const double q : { 0.5, 0.95, 0.99 }) {
        const double exact = exactQuantile(samples, q);
        const double estimate = histogram.quantile(q);
        QVERIFY2(std::abs(estimate - exact) / exact < 0.05, qPrintable(QStringLiteral("q=%1 exact %2 estimate %3").arg(q).arg(exact).arg(estimate)));
    }
}

void TestCharts::histogramEdges()
{
    LatencyHistogram empty;
    QCOMPARE(empty.quantile(0.5), 0.0);
    LatencyHistogram a;
    a.add(0.0);
    a.add(-3); // never negative, but never a crash either
    a.add(1e9); // beyond the last bucket: counted there
    QCOMPARE(a.count(), quint64(3));
    LatencyHistogram b;
    b.add(10);
    b.merge(a);
    QCOMPARE(b.count(), quint64(4));
    QVERIFY(b.quantile(1.0) > 60'000);
}

void TestCharts::seriesCountsPerSecondAndClass()
{
    TrafficSeries series;
    series.add({ finished(kNow, 200, 5, QStringLiteral("a")), finished(kNow, 201, 5, QStringLiteral("a")),
                 finished(kNow, 404, 5, QStringLiteral("a")), finished(kNow - 1, 503, 5, QStringLiteral("b")),
                 finished(kNow - 10, 101, 5000, QStringLiteral("ws")) });
    const QList<TrafficSeries::Point> points = series.points(kNow);
    QCOMPARE(points.size(), TrafficSeries::kSeconds);
    QCOMPARE(points.last().second, kNow);
    QCOMPARE(points.last().total(), 3u);
    QCOMPARE(points.last().statusClasses[1], 2u); // 2xx
    QCOMPARE(points.last().statusClasses[3], 1u); // 4xx
    QCOMPARE(points.at(points.size() - 2).statusClasses[4], 1u); // 5xx a second earlier
    // A WebSocket session counts in the second it ended (start + 5 s).
    QCOMPARE(points.at(points.size() - 6).statusClasses[0], 1u);
}

void TestCharts::seriesSlidesWithoutGrowing()
{
    TrafficSeries series;
    series.add({ finished(kNow, 200, 1, QStringLiteral("a")) });
    series.add({ finished(kNow + TrafficSeries::kSeconds, 500, 1, QStringLiteral("a")) }); // same slot, 5 min later
    QList<TrafficSeries::Point> points = series.points(kNow + TrafficSeries::kSeconds);
    quint32 total = 0;
    for (const TrafficSeries::Point &p : points) {
        total += p.total();
    }
    QCOMPARE(total, 1u);
    QCOMPARE(points.last().statusClasses[4], 1u);
    // An event older than the slot's current second does not overwrite it.
    series.add({ finished(kNow, 200, 1, QStringLiteral("a")) });
    QCOMPARE(series.points(kNow + TrafficSeries::kSeconds).last().statusClasses[4], 1u);
}

void TestCharts::seriesLatencyPerRoute()
{
    TrafficSeries series;
    QList<TrafficEvent> events;
    for (int i = 1; i <= 100; ++i) {
        events.append(finished(kNow - (i % 5), 200, i, QStringLiteral("slow")));
        events.append(finished(kNow - (i % 5), 200, 1, QStringLiteral("fast")));
    }
    series.add(events);
    QCOMPARE(series.routes(), (QStringList { QStringLiteral("fast"), QStringLiteral("slow") }));
    const LatencyHistogram slow = series.latency(QStringLiteral("slow"), kNow, 10);
    QCOMPARE(slow.count(), quint64(100));
    QVERIFY(std::abs(slow.quantile(0.5) - 50) < 2.5);
    QVERIFY(std::abs(slow.quantile(0.99) - 99) < 5);
    QCOMPARE(series.latency(QString(), kNow, 10).count(), quint64(200));
    QCOMPARE(series.latency(QStringLiteral("slow"), kNow, 1).count(), quint64(20)); // only the last second
    const QList<TrafficSeries::Quantiles> q = series.quantiles(QStringLiteral("fast"), kNow, 10);
    QCOMPARE(q.size(), TrafficSeries::kSeconds);
    QCOMPARE(q.last().count, quint64(100));
    QVERIFY(q.last().p99 < 1.1 && q.last().p99 > 0.9);
}

void TestCharts::chartsDrawTheSeries()
{
    ChartsView view;
    view.setClock([] { return kNow * 1000 + 500; });
    view.resize(800, 600);
    view.show();
    QList<TrafficEvent> events;
    for (int i = 0; i < 30; ++i) {
        events.append(finished(kNow, i < 20 ? 200 : 500, 10 + i, QStringLiteral("orders")));
    }
    events.append(finished(kNow - 60, 200, 1, QStringLiteral("health")));
    view.addBatch(events);
    view.refresh();
    const QList<QPointF> rate = pointsOf(view, "chartRate", 0);
    QCOMPARE(rate.size(), TrafficSeries::kSeconds);
    QCOMPARE(rate.last(), QPointF(0, 30));
    QCOMPARE(rate.at(rate.size() - 61), QPointF(-60, 1));
    QCOMPARE(pointsOf(view, "chartStatus", 0).last().y(), 20.0); // 2xx
    QCOMPARE(pointsOf(view, "chartStatus", 3).last().y(), 10.0); // 5xx
    // Latency has points only where its sliding 10 s window saw requests: now (orders), and the
    // ten seconds from -60 to -51 (health); gaps elsewhere, not zeros.
    QCOMPARE(pointsOf(view, "chartLatency", 0).size(), 11);
    auto *route = view.findChild<QComboBox *>(QStringLiteral("chartsRoute"));
    QVERIFY(route);
    QVERIFY(route->findData(QStringLiteral("orders")) > 0);
    route->setCurrentIndex(route->findData(QStringLiteral("health")));
    const QList<QPointF> p99 = pointsOf(view, "chartLatency", 2);
    QVERIFY(!p99.isEmpty());
    QVERIFY(p99.last().x() < -49); // "health" had its only request 60 s ago: nothing since the window passed
}

QTEST_MAIN(TestCharts)
#include "TestCharts.moc"
