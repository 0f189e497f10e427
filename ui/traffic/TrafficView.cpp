#include "TrafficView.h"

#include <algorithm>

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/traffic/BodyCaptureButton.h"
#include "ui/traffic/CurlCommand.h"
#include "ui/traffic/HarExport.h"
#include "ui/traffic/RepaintLimiter.h"
#include "ui/traffic/TrafficDetail.h"
#include "ui/traffic/TrafficFilterModel.h"
#include "ui/traffic/TrafficModel.h"

namespace gatehouse::ui {

namespace {

QToolButton *toolButton(const QString &objectName, const QString &text, QStyle::StandardPixmap icon, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(objectName);
    button->setText(text);
    button->setIcon(parent->style()->standardIcon(icon));
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(true);
    return button;
}

QAction *action(const QString &objectName, const QString &text, const QKeySequence &shortcut, QWidget *parent)
{
    auto *created = new QAction(text, parent);
    created->setObjectName(objectName);
    created->setShortcut(shortcut);
    // The view sits in a larger window: its shortcuts apply only while focus is inside it.
    created->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    return created;
}

} // namespace

TrafficView::TrafficView(TrafficModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new TrafficFilterModel(model, this))
{
    setObjectName(QStringLiteral("trafficView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(createFilterBar());

    m_stack = new QStackedWidget(this);
    m_empty = new QLabel(m_stack);
    m_empty->setObjectName(QStringLiteral("trafficEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setTextInteractionFlags(Qt::TextSelectableByMouse); // so the example can be copied
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    auto *splitter = new QSplitter(Qt::Vertical, m_stack);
    splitter->setObjectName(QStringLiteral("trafficSplitter"));
    splitter->addWidget(createTable());
    m_detail = new TrafficDetail(splitter);
    m_detail->setBodyPolicy(m_bodies->policy());
    connect(m_bodies, &BodyCaptureButton::policyChanged, this, [this](const engine::BodyCapturePolicy &policy) {
        m_detail->setBodyPolicy(policy);
        showCurrent();
        Q_EMIT bodyCaptureChanged(policy);
    });
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(splitter);
    layout->addWidget(m_stack, 1);
    createActions();
    setBaseUrl(QString());

    // The proxy connected to the model first, so it has mapped new rows by the time these run.
    auto *repaints = new RepaintLimiter(m_table->viewport(), std::chrono::milliseconds(250));
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this, repaints](const QModelIndex &, int first, int last) {
        noteRoutes(first, last);
        m_rowsArrived = true;
        repaints->contentChanged();
        scheduleRefresh();
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &TrafficView::scheduleRefresh);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // A reset clears the selection without signalling a current-row change.
        m_detail->showNothing();
        updateActions();
        scheduleRefresh();
    });
    connect(m_model, &TrafficModel::droppedWhilePausedChanged, this, &TrafficView::scheduleRefresh);
    connect(m_model, &TrafficModel::pausedChanged, this, &TrafficView::setPausedLook);
    // Filtering and sorting change the shown rows without the model changing.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &TrafficView::scheduleRefresh);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &TrafficView::scheduleRefresh);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &TrafficView::scheduleRefresh);

    noteRoutes(0, m_model->rowCount() - 1);
    setPausedLook(m_model->isPaused());
    refresh();
}

TrafficView::~TrafficView() = default;

engine::BodyCapturePolicy TrafficView::bodyCapture() const
{
    return m_bodies->policy();
}

QWidget *TrafficView::createFilterBar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);

    m_filter = new QLineEdit(bar);
    m_filter->setObjectName(QStringLiteral("trafficFilter"));
    m_filter->setPlaceholderText(QStringLiteral("Filter: path, host, status, request id…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &TrafficFilterModel::setText);
    row->addWidget(m_filter, 1);

    m_route = new QComboBox(bar);
    m_route->setObjectName(QStringLiteral("trafficRoute"));
    m_route->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_route->addItem(QStringLiteral("All routes"), QString());
    connect(m_route, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_proxy->setRoute(m_route->itemData(index).toString()); });
    row->addWidget(m_route);

    m_status = new QComboBox(bar);
    m_status->setObjectName(QStringLiteral("trafficStatus"));
    m_status->addItem(QStringLiteral("All statuses"), 0);
    for (int hundreds = 2; hundreds <= 5; ++hundreds) {
        m_status->addItem(QStringLiteral("%1xx").arg(hundreds), hundreds);
    }
    connect(m_status, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_proxy->setStatusClass(m_status->itemData(index).toInt()); });
    row->addWidget(m_status);

    m_method = new QComboBox(bar);
    m_method->setObjectName(QStringLiteral("trafficMethod"));
    m_method->addItem(QStringLiteral("All methods"), QString());
    for (const char *method : { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS" }) {
        m_method->addItem(QString::fromLatin1(method), QString::fromLatin1(method));
    }
    connect(m_method, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_proxy->setMethod(m_method->itemData(index).toString()); });
    row->addWidget(m_method);

    m_pause = toolButton(QStringLiteral("trafficPause"), QStringLiteral("Pause"), QStyle::SP_MediaPause, bar);
    m_pause->setCheckable(true);
    m_pause->setToolTip(QStringLiteral("Hold the table still; requests that arrive meanwhile are counted, not shown"));
    connect(m_pause, &QToolButton::toggled, m_model, &TrafficModel::setPaused);
    row->addWidget(m_pause);

    m_follow = toolButton(QStringLiteral("trafficFollow"), QStringLiteral("Follow"), QStyle::SP_ArrowDown, bar);
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setToolTip(QStringLiteral("Keep the newest request in view"));
    connect(m_follow, &QToolButton::toggled, this, [this](bool on) {
        if (on) {
            followTail();
        }
    });
    row->addWidget(m_follow);

    m_clear = toolButton(QStringLiteral("trafficClear"), QStringLiteral("Clear"), QStyle::SP_DialogResetButton, bar);
    m_clear->setToolTip(QStringLiteral("Remove every request from the table"));
    connect(m_clear, &QToolButton::clicked, m_model, &TrafficModel::clear);
    row->addWidget(m_clear);

    m_bodies = new BodyCaptureButton(bar);
    row->addWidget(m_bodies);

    m_count = new QLabel(bar);
    m_count->setObjectName(QStringLiteral("trafficCount"));
    m_count->setToolTip(QStringLiteral("The table keeps the latest %1 requests").arg(QLocale().toString(m_model->capacity())));
    row->addWidget(m_count);
    return bar;
}

QWidget *TrafficView::createTable()
{
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("trafficTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);

    // Fixed row heights: the view never measures rows, whatever the rate.
    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 6);

    // Widths from the font once, never from the contents per batch.
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setStretchLastSection(false);
    const QFontMetrics metrics = m_table->fontMetrics();
    const auto fit = [&metrics](const char *sample) { return metrics.horizontalAdvance(QString::fromLatin1(sample)) + 24; };
    columns->resizeSection(TrafficModel::Time, fit("00:00:00.000"));
    columns->resizeSection(TrafficModel::Method, fit("OPTIONS"));
    columns->resizeSection(TrafficModel::Host, fit("localhost:8080 xx"));
    columns->resizeSection(TrafficModel::Route, fit("users-route"));
    columns->resizeSection(TrafficModel::Target, fit("http://127.0.0.1:8001"));
    columns->resizeSection(TrafficModel::Status, fit("Status"));
    columns->resizeSection(TrafficModel::Duration, fit("12345 ms"));
    columns->resizeSection(TrafficModel::Size, fit("1023.9 KB"));
    columns->setSectionResizeMode(TrafficModel::Path, QHeaderView::Stretch);
    columns->setMinimumSectionSize(fit("GET"));

    // Unsorted (arrival order, the cheapest to keep up) until a header is clicked; a third
    // click returns to it.
    columns->setSortIndicator(-1, Qt::AscendingOrder);
    columns->setSortIndicatorClearable(true);
    m_table->setSortingEnabled(true);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TrafficView::showCurrent);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TrafficView::updateActions);
    return m_table;
}

void TrafficView::createActions()
{
    m_copyCurl = action(QStringLiteral("actionCopyCurl"), QStringLiteral("Copy as curl"),
                        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), this);
    m_copyRequestId = action(QStringLiteral("actionCopyRequestId"), QStringLiteral("Copy request id"),
                             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I), this);
    m_exportHar = action(QStringLiteral("actionExportHar"), QStringLiteral("Export selection as HAR…"),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this);
    connect(m_copyCurl, &QAction::triggered, this, &TrafficView::copyCurl);
    connect(m_copyRequestId, &QAction::triggered, this, &TrafficView::copyRequestId);
    connect(m_exportHar, &QAction::triggered, this, &TrafficView::exportHarInteractively);
    addActions({ m_copyCurl, m_copyRequestId, m_exportHar });

    auto *separator = new QAction(this);
    separator->setSeparator(true);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addActions({ m_copyCurl, m_copyRequestId, separator, m_exportHar });
    updateActions();
}

void TrafficView::setBaseUrl(const QString &url)
{
    m_baseUrl = url;
    m_empty->setText(url.isEmpty() ? QStringLiteral("No requests yet. Send one to a listener.")
                                   : QStringLiteral("No requests yet. Send one to a listener, e.g. curl %1/")
                                         .arg(url.endsWith(u'/') ? url.chopped(1) : url));
}

void TrafficView::setRoutes(const QStringList &routes)
{
    m_profileRoutes = routes;
    rebuildRouteFilter();
}

void TrafficView::setRouteExplainer(std::function<std::optional<engine::RouteExplanation>(const engine::TrafficEvent &)> explainer)
{
    m_detail->setExplainer(std::move(explainer));
}

void TrafficView::noteRoutes(int first, int last)
{
    bool added = false;
    const QString *previous = nullptr;
    for (int row = first; row <= last; ++row) {
        const QString &route = m_model->event(row).route;
        // Runs of one route are the rule at high rates: one hash lookup per run, not per row.
        if (previous && *previous == route) {
            continue;
        }
        previous = &route;
        if (!route.isEmpty() && !m_seenRoutes.contains(route)) {
            m_seenRoutes.insert(route);
            added = !m_profileRoutes.contains(route) || added;
        }
    }
    if (added) {
        rebuildRouteFilter();
    }
}

void TrafficView::rebuildRouteFilter()
{
    const QString chosen = m_route->currentData().toString();
    QStringList names = m_profileRoutes;
    QStringList extra;
    for (const QString &seen : std::as_const(m_seenRoutes)) {
        if (!names.contains(seen)) {
            extra.append(seen);
        }
    }
    // Keep a chosen route even when the profile no longer has it: the filter must not change under the user.
    if (!chosen.isEmpty() && !names.contains(chosen) && !extra.contains(chosen)) {
        extra.append(chosen);
    }
    extra.sort(Qt::CaseInsensitive);
    names += extra;

    const QSignalBlocker blocker(m_route);
    while (m_route->count() > 1) {
        m_route->removeItem(1);
    }
    for (const QString &name : std::as_const(names)) {
        m_route->addItem(name, name);
    }
    m_route->setCurrentIndex(std::max(0, m_route->findData(chosen)));
}

void TrafficView::scheduleRefresh()
{
    // A batch arrives as an insert, maybe a trim, and the proxy's own signals: handle them once.
    if (!m_refreshQueued) {
        m_refreshQueued = true;
        QTimer::singleShot(0, this, &TrafficView::refresh);
    }
}

void TrafficView::refresh()
{
    m_refreshQueued = false;
    const QLocale locale;
    const int all = m_model->rowCount();
    const int shown = m_proxy->rowCount();
    QString text = shown == all ? QStringLiteral("%1 requests").arg(locale.toString(all))
                                : QStringLiteral("%1 of %2 requests").arg(locale.toString(shown), locale.toString(all));
    if (m_model->isPaused()) {
        text += QStringLiteral(" — paused — %1 not shown").arg(locale.toString(m_model->droppedWhilePaused()));
    }
    m_count->setText(text);
    m_stack->setCurrentIndex(all == 0 ? 0 : 1);
    if (m_rowsArrived) {
        m_rowsArrived = false;
        if (m_follow->isChecked()) {
            followTail();
        }
    }
}

void TrafficView::followTail()
{
    if (m_proxy->rowCount() == 0) {
        return;
    }
    const int column = m_proxy->sortColumn();
    if (column < 0 || (column == TrafficModel::Time && m_proxy->sortOrder() == Qt::AscendingOrder)) {
        m_table->scrollToBottom();
    } else if (column == TrafficModel::Time) {
        m_table->scrollToTop();
    } else {
        // Sorted by something else: the newest row is wherever it sorts to.
        const QModelIndex newest = m_proxy->mapFromSource(m_model->index(m_model->rowCount() - 1, 0));
        if (newest.isValid()) {
            m_table->scrollTo(newest);
        }
    }
}

const engine::TrafficEvent *TrafficView::currentEvent() const
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    return current.isValid() ? &m_model->event(current.row()) : nullptr;
}

void TrafficView::showCurrent()
{
    if (const engine::TrafficEvent *current = currentEvent()) {
        m_detail->showRequest(*current);
    } else {
        m_detail->showNothing();
    }
    updateActions();
}

void TrafficView::updateActions()
{
    const bool hasCurrent = m_table->currentIndex().isValid();
    m_copyCurl->setEnabled(hasCurrent);
    m_copyRequestId->setEnabled(hasCurrent);
    m_exportHar->setEnabled(m_table->selectionModel()->hasSelection());
}

QList<engine::TrafficEvent> TrafficView::selectedEvents() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        rows.append(m_proxy->mapToSource(index).row());
    }
    std::sort(rows.begin(), rows.end());
    QList<engine::TrafficEvent> events;
    events.reserve(rows.size());
    for (int row : std::as_const(rows)) {
        events.append(m_model->event(row));
    }
    return events;
}

QString TrafficView::urlBaseFor(const engine::TrafficEvent &shown) const
{
    // Without a listener URL the Host the client used is the best guess.
    return m_baseUrl.isEmpty() ? QStringLiteral("http://") + QString::fromLatin1(shown.host) : m_baseUrl;
}

void TrafficView::copyCurl()
{
    if (const engine::TrafficEvent *current = currentEvent()) {
        QGuiApplication::clipboard()->setText(curlCommand(*current, urlBaseFor(*current)));
        Q_EMIT statusMessage(QStringLiteral("Copied a curl command for %1 (set TOKEN or COOKIE for credentials)")
                                 .arg(QString::fromLatin1(current->requestId)));
    }
}

void TrafficView::copyRequestId()
{
    if (const engine::TrafficEvent *current = currentEvent()) {
        QGuiApplication::clipboard()->setText(QString::fromLatin1(current->requestId));
        Q_EMIT statusMessage(QStringLiteral("Copied request id %1").arg(QString::fromLatin1(current->requestId)));
    }
}

bool TrafficView::exportHar(const QString &path, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error) {
            *error = why;
        }
        return false;
    };
    const QList<engine::TrafficEvent> events = selectedEvents();
    if (events.isEmpty()) {
        return fail(QStringLiteral("No requests are selected."));
    }
    const QString base = m_baseUrl.isEmpty() ? urlBaseFor(events.first()) : m_baseUrl;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return fail(QStringLiteral("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    }
    file.write(harFor(events, base).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        return fail(QStringLiteral("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    }
    Q_EMIT statusMessage(tr("Exported %n request(s) to %1", nullptr, int(events.size())).arg(QDir::toNativeSeparators(path)));
    return true;
}

void TrafficView::exportHarInteractively()
{
    const QString suggested = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                                  .filePath(QStringLiteral("gatehouse-%1.har")
                                                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export selection as HAR"), suggested,
                                                      QStringLiteral("HTTP Archive (*.har);;All files (*)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (!exportHar(path, &error)) {
        QMessageBox::warning(this, QStringLiteral("Export selection as HAR"), error);
    }
}

void TrafficView::setPausedLook(bool paused)
{
    const QSignalBlocker blocker(m_pause);
    m_pause->setChecked(paused);
    m_pause->setText(paused ? QStringLiteral("Resume") : QStringLiteral("Pause"));
    m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    scheduleRefresh();
}

} // namespace gatehouse::ui
