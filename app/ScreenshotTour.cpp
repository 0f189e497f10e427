#include "app/ScreenshotTour.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QPixmap>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

#include "ui/MainWindow.h"
#include "ui/traffic/TrafficModel.h"

namespace gatehouse::app {

namespace {

struct Shot
{
    ui::MainWindow::Page page;
    const char *file;
    int detailTab = 0; // the traffic detail's tab: 0 overview, 3 body
};

constexpr Shot kShots[] = {
    { ui::MainWindow::Traffic, "01-traffic.png" },     { ui::MainWindow::Routes, "02-routes.png" },
    { ui::MainWindow::Upstreams, "03-upstreams.png" }, { ui::MainWindow::Charts, "04-charts.png" },
    { ui::MainWindow::Tester, "05-route-tester.png" }, { ui::MainWindow::Logs, "06-logs.png" },
    { ui::MainWindow::Jwt, "07-jwt.png" },             { ui::MainWindow::RateLimits, "08-rate-limits.png" },
    { ui::MainWindow::Listeners, "09-listeners.png" }, { ui::MainWindow::Traffic, "10-traffic-body.png", 3 },
};

// The newest POST: proxied (a timing breakdown to show) and with a body.
int rowToShow(const QAbstractItemModel &model)
{
    for (int row = model.rowCount() - 1; row >= 0; --row) {
        if (model.index(row, ui::TrafficModel::Method).data().toString() == QLatin1String("POST")) {
            return row;
        }
    }
    return model.rowCount() - 1;
}

// What a reader should see on a page besides its defaults: a selected request, a tested URL.
void stage(ui::MainWindow &window, const Shot &shot)
{
    if (shot.page == ui::MainWindow::Traffic) {
        if (auto *table = window.findChild<QTableView *>(QStringLiteral("trafficTable")); table && table->model()->rowCount() > 0) {
            // By start time: arrival order interleaves the two workers' batches.
            table->sortByColumn(ui::TrafficModel::Time, Qt::AscendingOrder);
            table->selectionModel()->clearSelection();
            table->setCurrentIndex(table->model()->index(rowToShow(*table->model()), 0));
        }
        if (auto *detail = window.findChild<QTabWidget *>(QStringLiteral("trafficDetail"))) {
            detail->setCurrentIndex(shot.detailTab);
        }
    } else if (shot.page == ui::MainWindow::Tester) {
        if (auto *url = window.findChild<QLineEdit *>(QStringLiteral("testerUrl"))) {
            url->setText(QStringLiteral("http://localhost:8080/api/users/42"));
        }
    }
}

} // namespace

void startScreenshotTourFromEnvironment(ui::MainWindow &window)
{
    const QString dir = qEnvironmentVariable("GATEHOUSE_SCREENSHOTS");
    if (dir.isEmpty()) {
        return;
    }
    QDir().mkpath(dir);
    auto *timer = new QTimer(&window);
    auto next = std::make_shared<int>(-1);
    // First a few seconds for the traffic the script sends, then one page per tick: time for the
    // views to refresh (the charts redraw once a second).
    timer->setInterval(1200);
    QObject::connect(timer, &QTimer::timeout, &window, [&window, timer, next, dir] {
        if (*next >= 0) {
            const Shot &shot = kShots[*next];
            window.grab().save(QDir(dir).filePath(QString::fromLatin1(shot.file)));
        }
        ++*next;
        if (*next >= int(std::size(kShots))) {
            timer->stop();
            QApplication::quit();
            return;
        }
        window.showPage(kShots[*next].page);
        stage(window, kShots[*next]);
    });
    QTimer::singleShot(4000, timer, qOverload<>(&QTimer::start));
}

} // namespace gatehouse::app
