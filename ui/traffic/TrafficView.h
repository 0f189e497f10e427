#pragma once

#include <functional>
#include <optional>

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QWidget>

#include "engine/core/BodyCapture.h"
#include "engine/pipeline/RouteExplainer.h"
#include "engine/traffic/TrafficEvent.h"

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace gatehouse::ui {

class BodyCaptureButton;
class TrafficDetail;
class TrafficFilterModel;
class TrafficModel;

// The live Traffic view (SPEC §5): a filter bar over the table of the latest requests, and the
// selected request's overview, headers and body note below it. Copy as curl, copy request id
// and export as HAR act on the table's rows. Self-contained: the window gives it the model the
// engine's batches go into, the listener URL and the profile's route names.
//
// It stays cheap at any request rate: the model inserts once per engine batch, the view does
// its per-batch work (count, empty state, following the tail) once per event-loop turn, never
// resizes columns to their contents, and the table repaints at most four times a second.
class TrafficView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficView)
public:
    // `model` is not owned and must outlive the view.
    explicit TrafficView(TrafficModel *model, QWidget *parent = nullptr);
    ~TrafficView() override;

    QString baseUrl() const { return m_baseUrl; }
    // The selected rows' requests, oldest first.
    QList<engine::TrafficEvent> selectedEvents() const;
    // Writes the selected rows as HAR to `path`, atomically. The "Export selection as HAR…"
    // action asks for the path and calls this; tests call it directly.
    bool exportHar(const QString &path, QString *error = nullptr);
    // Why the other routes did not take the selected request, shown in its overview.
    void setRouteExplainer(std::function<std::optional<engine::RouteExplanation>(const engine::TrafficEvent &)> explainer);
    // Which bodies the engine should keep for the preview, as chosen in the Bodies menu.
    engine::BodyCapturePolicy bodyCapture() const;

public Q_SLOTS:
    // The listener URL requests are repeated against ("http://127.0.0.1:8080").
    void setBaseUrl(const QString &url);
    // The profile's route names for the route filter; names seen in traffic are added too.
    void setRoutes(const QStringList &routes);

Q_SIGNALS:
    // A short note for the window's status bar ("Copied curl command", ...).
    void statusMessage(const QString &text);
    void bodyCaptureChanged(const gatehouse::engine::BodyCapturePolicy &policy);

private:
    QWidget *createFilterBar();
    QWidget *createTable();
    void createActions();
    void scheduleRefresh();
    void refresh();
    void followTail();
    void noteRoutes(int first, int last);
    void rebuildRouteFilter();
    void showCurrent();
    void updateActions();
    void copyCurl();
    void copyRequestId();
    void exportHarInteractively();
    void setPausedLook(bool paused);
    const engine::TrafficEvent *currentEvent() const;
    QString urlBaseFor(const engine::TrafficEvent &shown) const;

    TrafficModel *m_model;
    TrafficFilterModel *m_proxy;
    QString m_baseUrl;
    QStringList m_profileRoutes;
    QSet<QString> m_seenRoutes;
    bool m_refreshQueued = false;
    bool m_rowsArrived = false;

    QLineEdit *m_filter = nullptr;
    QComboBox *m_route = nullptr;
    QComboBox *m_status = nullptr;
    QComboBox *m_method = nullptr;
    QToolButton *m_pause = nullptr;
    QToolButton *m_follow = nullptr;
    QToolButton *m_clear = nullptr;
    BodyCaptureButton *m_bodies = nullptr;
    QLabel *m_count = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_empty = nullptr;
    QTableView *m_table = nullptr;
    TrafficDetail *m_detail = nullptr;
    QAction *m_copyCurl = nullptr;
    QAction *m_copyRequestId = nullptr;
    QAction *m_exportHar = nullptr;
};

} // namespace gatehouse::ui
