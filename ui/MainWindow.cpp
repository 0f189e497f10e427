#include "MainWindow.h"

#include <QLabel>
#include <QListWidget>
#include <QStatusBar>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "engine/core/Gateway.h"
#include "engine/tls/TlsWarnings.h"

namespace gatehouse::ui {

MainWindow::MainWindow(engine::Gateway &gateway, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
{
    setWindowTitle(QStringLiteral("Gatehouse"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_listeners = new QLabel(central);
    m_listeners->setObjectName(QStringLiteral("listeners"));
    m_listeners->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_requests = new QLabel(central);
    m_requests->setObjectName(QStringLiteral("requests"));
    m_routes = new QListWidget(central);
    m_routes->setObjectName(QStringLiteral("routes"));
    m_warnings = new QLabel(central);
    m_warnings->setObjectName(QStringLiteral("warnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; padding: 6px; border-radius: 3px; }"));
    m_warnings->hide();
    layout->addWidget(m_listeners);
    layout->addWidget(m_warnings);
    layout->addWidget(m_requests);
    layout->addWidget(new QLabel(QStringLiteral("Routes"), central));
    layout->addWidget(m_routes, 1);
    m_upstreams = new QTreeWidget(central);
    m_upstreams->setObjectName(QStringLiteral("upstreams"));
    m_upstreams->setHeaderLabels({ QStringLiteral("Upstream / target"), QStringLiteral("State"), QStringLiteral("In flight"),
                                   QStringLiteral("Latency"), QStringLiteral("Requests"), QStringLiteral("Failures") });
    m_upstreams->setRootIsDecorated(false);
    layout->addWidget(new QLabel(QStringLiteral("Upstreams"), central));
    layout->addWidget(m_upstreams, 1);
    setCentralWidget(central);
    resize(720, 480);

    connect(&m_gateway, &engine::Gateway::started, this, &MainWindow::refreshProfile);
    connect(&m_gateway, &engine::Gateway::profileApplied, this, &MainWindow::refreshProfile);
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &MainWindow::refreshCounters);
    timer->start(500);
    m_sinceLast.start();
    refreshProfile();
    refreshCounters();
}

MainWindow::~MainWindow() = default;

void MainWindow::showStartError(const QString &message)
{
    m_listeners->setText(QStringLiteral("The engine did not start:\n%1").arg(message));
    statusBar()->showMessage(QStringLiteral("Not running"));
}

void MainWindow::refreshProfile()
{
    QStringList urls;
    for (const engine::ListenerInfo &listener : m_gateway.listeners()) {
        urls.append(listener.url());
    }
    m_listeners->setText(urls.isEmpty() ? QStringLiteral("No listeners")
                                        : QStringLiteral("Listening on %1").arg(urls.join(QStringLiteral(", "))));
    const QStringList warnings = engine::tls::insecureTlsWarnings(m_gateway.profile());
    m_warnings->setText(QStringLiteral("⚠ ") + warnings.join(QStringLiteral("\n⚠ ")));
    m_warnings->setVisible(!warnings.isEmpty());
    m_routes->clear();
    for (const profile::Route &route : m_gateway.profile().routes) {
        const QString target = route.respond ? QStringLiteral("responds %1").arg(route.respond->status)
                                             : QStringLiteral("→ %1").arg(route.upstream);
        m_routes->addItem(QStringLiteral("%1   %2   %3").arg(route.name, route.match.path, target));
    }
    statusBar()->showMessage(urls.join(QStringLiteral("  ")));
}

void MainWindow::refreshCounters()
{
    const quint64 count = m_gateway.requestsServed();
    const double seconds = std::max<qint64>(m_sinceLast.restart(), 1) / 1000.0;
    const double rate = double(count - std::min(count, m_lastCount)) / seconds;
    m_lastCount = count;
    m_requests->setText(QStringLiteral("Requests: %1   (%2/s)").arg(count).arg(rate, 0, 'f', 0));
    refreshUpstreams();
}

namespace {

QString stateText(const engine::TargetStatus &target)
{
    if (target.ejected) {
        return QStringLiteral("ejected (%1 s left)").arg((target.ejectedForMs + 999) / 1000);
    }
    if (!target.healthy) {
        return QStringLiteral("unhealthy: %1").arg(target.lastCheck);
    }
    return target.checked ? QStringLiteral("healthy") : QStringLiteral("up");
}

} // namespace

void MainWindow::refreshUpstreams()
{
    const QList<engine::UpstreamStatus> upstreams = m_gateway.upstreamStatus();
    m_upstreams->clear();
    for (const engine::UpstreamStatus &upstream : upstreams) {
        auto *item = new QTreeWidgetItem(m_upstreams, { upstream.name, QStringLiteral("%1, circuit %2").arg(upstream.balance, upstream.circuit) });
        for (const engine::TargetStatus &target : upstream.targets) {
            new QTreeWidgetItem(item, { target.url, stateText(target), QString::number(target.inFlight),
                                        QStringLiteral("%1 ms").arg(target.latencyMs, 0, 'f', 1),
                                        QString::number(target.requests), QString::number(target.failures) });
        }
    }
    m_upstreams->expandAll();
}

} // namespace gatehouse::ui
