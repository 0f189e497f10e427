#include "MainWindow.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "engine/core/Gateway.h"
#include "engine/profile/Units.h"
#include "engine/profile/Values.h"
#include "engine/tls/TlsWarnings.h"
#include "ui/charts/ChartsView.h"
#include "ui/logs/LogCapture.h"
#include "ui/logs/LogModel.h"
#include "ui/logs/LogView.h"
#include "ui/tester/RouteTesterView.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficView.h"

namespace gatehouse::ui {

namespace {

QTreeWidget *readOnlyTree(const QString &objectName, const QStringList &headers, QWidget *parent)
{
    auto *tree = new QTreeWidget(parent);
    tree->setObjectName(objectName);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setAlternatingRowColors(true);
    return tree;
}

QString stateText(const engine::TargetStatus &target)
{
    if (target.ejected) {
        return QObject::tr("ejected (%1 s left)").arg((target.ejectedForMs + 999) / 1000);
    }
    if (!target.healthy) {
        return QObject::tr("unhealthy: %1").arg(target.lastCheck);
    }
    return target.checked ? QObject::tr("healthy") : QObject::tr("up");
}

QString keySource(const profile::JwtProfile &jwt)
{
    if (jwt.secret.isSet()) {
        return QObject::tr("secret %1").arg(profile::formatSecretRef(jwt.secret));
    }
    if (jwt.publicKey.isSet()) {
        return QObject::tr("public key %1").arg(profile::formatSecretRef(jwt.publicKey));
    }
    return QObject::tr("JWKS %1").arg(jwt.jwks);
}

} // namespace

MainWindow::MainWindow(engine::Gateway &gateway, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
    , m_traffic(new TrafficModel(10'000, this))
    , m_logs(new LogModel(20'000, this))
    , m_capture(new LogCapture(this))
{
    setWindowTitle(QStringLiteral("Gatehouse"));
    connect(m_capture, &LogCapture::batch, m_logs, &LogModel::appendBatch);

    m_navigation = new QListWidget(this);
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->addItems({ tr("Routes"), tr("Upstreams"), tr("JWT"), tr("Rate limits"), tr("Listeners"), tr("Traffic"),
                             tr("Logs"), tr("Charts"), tr("Route tester") });
    m_navigation->setFixedWidth(150);
    m_navigation->setFrameShape(QFrame::NoFrame);

    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("pages"));
    for (int page = Routes; page <= Listeners; ++page) {
        m_pages->addWidget(buildProfilePage(Page(page)));
    }
    m_trafficView = new TrafficView(m_traffic, this);
    m_pages->addWidget(m_trafficView);
    connect(m_trafficView, &TrafficView::statusMessage, this, [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    m_pages->addWidget(new LogView(m_logs, this));
    m_charts = new ChartsView(this);
    m_pages->addWidget(m_charts);
    m_pages->addWidget(new RouteTesterView(m_gateway, this));

    m_startError = new QLabel(this);
    m_startError->setObjectName(QStringLiteral("startError"));
    m_startError->setWordWrap(true);
    m_startError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_startError->setStyleSheet(QStringLiteral("QLabel { background: #fde7e9; color: #6e0b14; padding: 8px; border-radius: 3px; }"));
    m_startError->hide();
    m_warnings = new QLabel(this);
    m_warnings->setObjectName(QStringLiteral("warnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; padding: 6px; border-radius: 3px; }"));
    m_warnings->hide();

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(8, 8, 8, 8);
    contentLayout->addWidget(m_startError);
    contentLayout->addWidget(m_warnings);
    contentLayout->addWidget(m_pages, 1);
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_navigation);
    layout->addWidget(content, 1);
    setCentralWidget(central);

    m_listeners = new QLabel(this);
    m_listeners->setObjectName(QStringLiteral("listeners"));
    m_listeners->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_requests = new QLabel(this);
    m_requests->setObjectName(QStringLiteral("requests"));
    statusBar()->addWidget(m_listeners, 1);
    statusBar()->addPermanentWidget(m_requests);
    resize(1100, 720);

    connect(m_navigation, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);
    m_navigation->setCurrentRow(Routes);
    connect(&m_gateway, &engine::Gateway::trafficBatch, m_traffic, &TrafficModel::appendBatch);
    connect(&m_gateway, &engine::Gateway::trafficBatch, m_charts, &ChartsView::addBatch);
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

QWidget *MainWindow::buildProfilePage(Page page)
{
    switch (page) {
    case Routes:
        m_routes = new QListWidget(this);
        m_routes->setObjectName(QStringLiteral("routes"));
        return m_routes;
    case Upstreams:
        m_upstreams = readOnlyTree(QStringLiteral("upstreams"), { tr("Upstream / target"), tr("State"), tr("In flight"), tr("Latency"),
                                                                  tr("Requests"), tr("Failures") }, this);
        return m_upstreams;
    case Jwt:
        m_jwt = readOnlyTree(QStringLiteral("jwtProfiles"), { tr("JWT profile"), tr("Algorithms"), tr("Keys"), tr("Issuer") }, this);
        return m_jwt;
    case RateLimits:
        m_rateLimits = readOnlyTree(QStringLiteral("rateLimits"), { tr("Rate limit"), tr("Requests"), tr("Key"), tr("Store") }, this);
        return m_rateLimits;
    default:
        m_listenerList = readOnlyTree(QStringLiteral("listenerList"), { tr("Listener"), tr("TLS") }, this);
        return m_listenerList;
    }
}

void MainWindow::showPage(Page page)
{
    m_navigation->setCurrentRow(page);
}

void MainWindow::showStartError(const QString &message)
{
    QString hint;
    if (message.contains(QStringLiteral("in use"))) {
        hint = tr("Another program (or another Gatehouse) uses that address. Stop it, or change the port in the profile's listeners.");
    }
    m_startError->setText(tr("<b>The engine did not start.</b><br>%1%2")
                              .arg(message.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")),
                                   hint.isEmpty() ? QString() : QStringLiteral("<br>") + hint.toHtmlEscaped()));
    m_startError->show();
    m_listeners->setText(tr("Not running"));
    showPage(Listeners);
}

void MainWindow::refreshProfile()
{
    const profile::Profile &profile = m_gateway.profile();
    QStringList urls;
    for (const engine::ListenerInfo &listener : m_gateway.listeners()) {
        urls.append(listener.url());
    }
    if (!urls.isEmpty()) {
        m_startError->hide();
    }
    m_listeners->setText(urls.isEmpty() ? tr("No listeners") : tr("Listening on %1").arg(urls.join(QStringLiteral(", "))));
    const QStringList warnings = engine::tls::insecureTlsWarnings(profile);
    m_warnings->setText(QStringLiteral("⚠ ") + warnings.join(QStringLiteral("\n⚠ ")));
    m_warnings->setVisible(!warnings.isEmpty());

    m_trafficView->setBaseUrl(m_gateway.listeners().isEmpty() ? QString() : m_gateway.listeners().first().url());
    QStringList routeNames;
    for (const profile::Route &route : profile.routes) {
        routeNames.append(route.name);
    }
    m_trafficView->setRoutes(routeNames);
    m_routes->clear();
    for (const profile::Route &route : profile.routes) {
        const QString target = route.respond ? tr("responds %1").arg(route.respond->status) : QStringLiteral("→ %1").arg(route.upstream);
        m_routes->addItem(QStringLiteral("%1   %2   %3").arg(route.name, route.match.path, target));
    }
    m_jwt->clear();
    for (const profile::JwtProfile &jwt : profile.jwt) {
        new QTreeWidgetItem(m_jwt, { jwt.name, jwt.algorithms.join(QStringLiteral(", ")), keySource(jwt), jwt.issuer });
    }
    m_rateLimits->clear();
    for (const profile::RateLimitProfile &limit : profile.rateLimits) {
        new QTreeWidgetItem(m_rateLimits, { limit.name, tr("%1 per %2").arg(limit.requests).arg(profile::formatDuration(limit.per)),
                                            limit.key, limit.store });
    }
    m_listenerList->clear();
    for (const engine::ListenerInfo &listener : m_gateway.listeners()) {
        new QTreeWidgetItem(m_listenerList, { listener.url(), listener.tls ? tr("HTTPS") : tr("plain HTTP") });
    }
}

void MainWindow::refreshCounters()
{
    const quint64 count = m_gateway.requestsServed();
    const double seconds = std::max<qint64>(m_sinceLast.restart(), 1) / 1000.0;
    const double rate = double(count - std::min(count, m_lastCount)) / seconds;
    m_lastCount = count;
    m_requests->setText(tr("Requests: %1   (%2/s)").arg(count).arg(rate, 0, 'f', 0));
    if (m_pages->currentIndex() == Upstreams) {
        refreshUpstreams(); // live health and latency, only while someone looks
    }
}

void MainWindow::refreshUpstreams()
{
    const QList<engine::UpstreamStatus> upstreams = m_gateway.upstreamStatus();
    m_upstreams->clear();
    for (const engine::UpstreamStatus &upstream : upstreams) {
        auto *item = new QTreeWidgetItem(m_upstreams, { upstream.name, tr("%1, circuit %2").arg(upstream.balance, upstream.circuit) });
        for (const engine::TargetStatus &target : upstream.targets) {
            new QTreeWidgetItem(item, { target.url, stateText(target), QString::number(target.inFlight),
                                        QStringLiteral("%1 ms").arg(target.latencyMs, 0, 'f', 1),
                                        QString::number(target.requests), QString::number(target.failures) });
        }
    }
    m_upstreams->expandAll();
}

} // namespace gatehouse::ui
