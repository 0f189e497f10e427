#pragma once

#include <functional>

#include <QTimer>
#include <QWidget>

#include "engine/traffic/TrafficEvent.h"
#include "ui/charts/TrafficSeries.h"

class QChartView;
class QComboBox;
class QLineSeries;
class QValueAxis;

namespace gatehouse::ui {

// Live charts of the last five minutes: requests/s, requests/s by status class, and latency
// p50/p95/p99 (over a sliding 10 s) for one route or all. Redrawn once a second while shown.
class ChartsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartsView)
public:
    explicit ChartsView(QWidget *parent = nullptr);

    void addBatch(const QList<engine::TrafficEvent> &events);
    void clear();
    // Tests set the clock; the app uses the wall clock.
    void setClock(std::function<qint64()> nowMs) { m_nowMs = std::move(nowMs); }
    const TrafficSeries &series() const { return m_series; }
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    struct Chart
    {
        QChartView *view = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QList<QLineSeries *> lines;
    };
    Chart makeChart(const QString &title, const QString &unit, const QStringList &lineNames, const QString &objectName);
    void updateRoutes();

    TrafficSeries m_series;
    std::function<qint64()> m_nowMs;
    QTimer m_timer;
    QComboBox *m_route = nullptr;
    Chart m_rate;
    Chart m_status;
    Chart m_latency;
};

} // namespace gatehouse::ui
