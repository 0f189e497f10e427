#include "MainWindow.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "engine/core/DescriptorLimit.h"
#include "engine/core/EngineTools.h"
#include "engine/core/Gateway.h"
#include "engine/profile/Values.h"
#include "ui/Prompts.h"
#include "ui/RecentFiles.h"
#include "ui/charts/ChartsView.h"
#include "ui/document/ForeignFormats.h"
#include "ui/document/ProfileDocument.h"
#include "ui/jwt/JwtPage.h"
#include "ui/listeners/ListenersPage.h"
#include "ui/logs/LogCapture.h"
#include "ui/logs/LogModel.h"
#include "ui/logs/LogView.h"
#include "ui/ratelimits/RateLimitsPage.h"
#include "ui/routes/RoutesPage.h"
#include "ui/tester/RouteTesterView.h"
#include "ui/upstreams/UpstreamsPage.h"
#include "ui/traffic/EventHeaders.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficView.h"

namespace gatehouse::ui {

MainWindow::MainWindow(engine::Gateway &gateway, engine::SecretStore *secrets, QWidget *parent)
    : QMainWindow(parent)
    , m_gateway(gateway)
    , m_traffic(new TrafficModel(10'000, this))
    , m_logs(new LogModel(20'000, this))
    , m_capture(new LogCapture(this))
    , m_document(new ProfileDocument(this))
    , m_secrets(secrets)
{
    connect(m_capture, &LogCapture::batch, m_logs, &LogModel::appendBatch);

    m_navigation = new QListWidget(this);
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->addItems({ tr("Routes"), tr("Upstreams"), tr("JWT"), tr("Rate limits"), tr("Listeners"), tr("Traffic"),
                             tr("Logs"), tr("Charts"), tr("Route tester") });
    m_navigation->setFixedWidth(160);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setStyleSheet(QStringLiteral("QListWidget#navigation::item { padding: 6px 12px; }"));

    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("pages"));
    for (int page = Routes; page <= Listeners; ++page) {
        m_pages->addWidget(buildProfilePage(Page(page)));
    }
    m_trafficView = new TrafficView(m_traffic, this);
    m_pages->addWidget(m_trafficView);
    connect(m_trafficView, &TrafficView::statusMessage, this, [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    m_gateway.setBodyCapture(m_trafficView->bodyCapture());
    connect(m_trafficView, &TrafficView::bodyCaptureChanged, this,
            [this](const engine::BodyCapturePolicy &policy) { m_gateway.setBodyCapture(policy); });
    m_trafficView->setRouteExplainer([this](const engine::TrafficEvent &request) -> std::optional<engine::RouteExplanation> {
        QList<engine::http::Header> headers;
        for (const auto &[name, value] : rawRequestHeaders(request).value_or(HeaderList {})) {
            headers.append({ name.toLatin1(), value.toUtf8() });
        }
        return m_gateway.explainRoute(request.method, QString::fromUtf8(request.path), headers);
    });
    m_pages->addWidget(new LogView(m_logs, this));
    m_charts = new ChartsView(this);
    m_pages->addWidget(m_charts);
    m_pages->addWidget(new RouteTesterView(m_gateway, this));

    m_foreignFormats = new ForeignFormats(m_document, this);
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

    m_diskChanged = new QWidget(this);
    m_diskChanged->setObjectName(QStringLiteral("diskChanged"));
    m_diskChanged->setStyleSheet(QStringLiteral("#diskChanged { background: #e5f1fb; border-radius: 3px; }"));
    auto *diskLayout = new QHBoxLayout(m_diskChanged);
    auto *diskText = new QLabel(tr("The profile file was changed by another program."), m_diskChanged);
    auto *reload = new QPushButton(tr("Reload"), m_diskChanged);
    reload->setObjectName(QStringLiteral("diskReload"));
    auto *ignore = new QPushButton(tr("Keep mine"), m_diskChanged);
    ignore->setObjectName(QStringLiteral("diskIgnore"));
    diskLayout->addWidget(diskText, 1);
    diskLayout->addWidget(reload);
    diskLayout->addWidget(ignore);
    m_diskChanged->hide();
    connect(reload, &QPushButton::clicked, this, [this] {
        QStringList problems;
        if (!m_document->reloadFromDisk(&problems)) {
            showProblems(tr("The changed file has problems; nothing was reloaded."), problems);
        }
        m_diskChanged->hide();
    });
    connect(ignore, &QPushButton::clicked, m_diskChanged, &QWidget::hide);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(8, 8, 8, 8);
    contentLayout->addWidget(m_diskChanged);
    contentLayout->addWidget(m_startError);
    contentLayout->addWidget(m_foreignFormats->report());
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
    connect(m_document, &ProfileDocument::changed, this, &MainWindow::applyToEngine);
    connect(m_document, &ProfileDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ProfileDocument::pathChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ProfileDocument::changedOnDisk, m_diskChanged, &QWidget::show);
    buildMenus();
    updateTitle();
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &MainWindow::refreshCounters);
    timer->start(500);
    m_sinceLast.start();
    refreshProfile();
    refreshCounters();
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, &MainWindow::newProfile)->setObjectName(QStringLiteral("actionNew"));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        if (!settleUnsavedChanges()) {
            return;
        }
        const QString path = chooseOpenFile(this, tr("Open profile"), tr("Gatehouse profiles (*.yaml *.yml)"));
        if (!path.isEmpty()) {
            openProfile(path);
        }
    })->setObjectName(QStringLiteral("actionOpen"));
    QMenu *recent = file->addMenu(tr("Open &Recent"));
    recent->setObjectName(QStringLiteral("menuRecent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        for (const QString &path : recentProfiles()) {
            recent->addAction(path, this, [this, path] {
                if (settleUnsavedChanges()) {
                    openProfile(path);
                }
            });
        }
        recent->setEnabled(!recent->isEmpty());
    });
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::save)->setObjectName(QStringLiteral("actionSave"));
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, &MainWindow::saveAs)->setObjectName(QStringLiteral("actionSaveAs"));
    file->addSeparator();
    file->addAction(tr("&Import YAML…"), this, [this] {
        const QString path = chooseOpenFile(this, tr("Import profile"), tr("Gatehouse profiles (*.yaml *.yml)"));
        QStringList problems;
        if (!path.isEmpty() && !m_document->importFrom(path, &problems)) {
            showProblems(tr("%1 was not imported: it has problems.").arg(path), problems);
        }
    })->setObjectName(QStringLiteral("actionImport"));
    file->addAction(tr("&Export YAML…"), this, [this] {
        const QString path = chooseSaveFile(this, tr("Export profile"), m_document->displayName(), tr("Gatehouse profiles (*.yaml *.yml)"));
        QString error;
        if (!path.isEmpty() && !m_document->exportTo(path, &error)) {
            showProblems(tr("The profile was not exported."), { error });
        }
    })->setObjectName(QStringLiteral("actionExport"));
    file->addSeparator();
    m_foreignFormats->addActions(file);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setObjectName(QStringLiteral("actionUndo"));
    QAction *redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setObjectName(QStringLiteral("actionRedo"));
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    // The Routes page owns "Add route"; the menu and the toolbar show that page and trigger it.
    auto *addRoute = new QAction(tr("Add &route…"), this);
    addRoute->setObjectName(QStringLiteral("actionAddRouteGlobal"));
    addRoute->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    connect(addRoute, &QAction::triggered, this, [this] {
        showPage(Routes);
        if (auto *action = m_pages->widget(Routes)->findChild<QAction *>(QStringLiteral("actionAddRoute"))) {
            action->trigger();
        }
    });
    edit->addAction(addRoute);

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(addRoute);
    toolbar->addSeparator();
    toolbar->addAction(undo);
    toolbar->addAction(redo);
}

bool MainWindow::openProfile(const QString &path)
{
    QStringList problems;
    if (!m_document->open(path, &problems)) {
        showProblems(tr("%1 was not opened: it has problems. Nothing changed.").arg(path), problems);
        return false;
    }
    rememberProfile(path);
    m_diskChanged->hide();
    return true;
}

void MainWindow::newProfile()
{
    if (!settleUnsavedChanges()) {
        return;
    }
    profile::Profile fresh;
    fresh.name = QStringLiteral("untitled");
    profile::Listener listener;
    listener.bind = { QStringLiteral("127.0.0.1"), 8080 };
    fresh.listen.append(listener);
    m_document->reset(fresh);
}

// Every accepted change runs at once; the engine keeps its connections (Gateway::apply).
void MainWindow::applyToEngine()
{
    const bool wasRunning = m_gateway.isRunning();
    const bool ok = wasRunning ? m_gateway.apply(m_document->profile()) : m_gateway.start(m_document->profile());
    if (ok) {
        m_startError->hide();
        return;
    }
    const QString messages = m_gateway.lastError().messages.join(QLatin1Char('\n'));
    if (wasRunning) {
        showProblems(tr("The change could not be applied; the engine keeps running the previous profile."),
                     m_gateway.lastError().messages);
    } else {
        showStartError(messages);
    }
}

void MainWindow::updateTitle()
{
    setWindowTitle(tr("%1[*] — Gatehouse").arg(m_document->displayName()));
    setWindowModified(m_document->isModified());
}

void MainWindow::showProblems(const QString &title, const QStringList &problems)
{
    QStringList escaped;
    for (const QString &problem : problems) {
        escaped.append(problem.toHtmlEscaped());
    }
    m_startError->setText(QStringLiteral("<b>%1</b><br>%2").arg(title.toHtmlEscaped(), escaped.join(QStringLiteral("<br>"))));
    m_startError->show();
}

bool MainWindow::save()
{
    if (m_document->path().isEmpty()) {
        return saveAs();
    }
    QString error;
    if (!m_document->save(&error)) {
        showProblems(tr("The profile was not saved."), { error });
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(m_document->path()), 4000);
    return true;
}

bool MainWindow::saveAs()
{
    const QString path = chooseSaveFile(this, tr("Save profile as"), m_document->displayName(), tr("Gatehouse profiles (*.yaml *.yml)"));
    if (path.isEmpty()) {
        return false;
    }
    QString error;
    if (!m_document->saveAs(path, &error)) {
        showProblems(tr("The profile was not saved."), { error });
        return false;
    }
    rememberProfile(path);
    return true;
}

bool MainWindow::settleUnsavedChanges()
{
    if (!m_document->isModified()) {
        return true;
    }
    const auto answer = ask(this, tr("Unsaved changes"), tr("%1 has changes that are not saved. Save them?").arg(m_document->displayName()),
                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) {
        return save();
    }
    return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (settleUnsavedChanges()) {
        event->accept();
    } else {
        event->ignore();
    }
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::buildProfilePage(Page page)
{
    switch (page) {
    case Routes:
        return new RoutesPage(*m_document, {}, this);
    case Upstreams:
        return new UpstreamsPage(m_gateway, *m_document, this);
    case Jwt:
        return new JwtPage(*m_document, m_secrets, [this] {
            const QList<engine::ListenerInfo> listeners = m_gateway.listeners();
            return listeners.isEmpty() ? QString() : listeners.first().url();
        }, {}, this);
    case RateLimits:
        return new RateLimitsPage(m_gateway, *m_document, this);
    default:
        m_listenersPage = new ListenersPage(m_gateway, *m_document, this);
        return m_listenersPage;
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
    QStringList warnings = engine::tools::insecureTlsWarnings(profile);
    if (!urls.isEmpty()) { // the gateway raises the open files limit as it starts: judge it after
        warnings += engine::descriptorLimitWarnings(profile);
    }
    m_warnings->setText(QStringLiteral("⚠ ") + warnings.join(QStringLiteral("\n⚠ ")));
    m_warnings->setVisible(!warnings.isEmpty());

    m_trafficView->setBaseUrl(m_gateway.listeners().isEmpty() ? QString() : m_gateway.listeners().first().url());
    QStringList routeNames;
    for (const profile::Route &route : profile.routes) {
        routeNames.append(route.name);
    }
    m_trafficView->setRoutes(routeNames);
}

void MainWindow::refreshCounters()
{
    const quint64 count = m_gateway.requestsServed();
    const double seconds = std::max<qint64>(m_sinceLast.restart(), 1) / 1000.0;
    const double rate = double(count - std::min(count, m_lastCount)) / seconds;
    m_lastCount = count;
    m_requests->setText(tr("Requests: %1   (%2/s)").arg(count).arg(rate, 0, 'f', 0));
}


} // namespace gatehouse::ui
