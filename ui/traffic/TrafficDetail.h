#pragma once

#include <functional>
#include <optional>

#include <QTabWidget>

#include "engine/core/TrafficEvent.h"
#include "engine/pipeline/RouteExplainer.h"

class QLabel;
class QTextBrowser;
class QTreeWidget;

namespace gatehouse::ui {

// The lower half of the traffic view: one request's Overview (route decision, status, timing,
// policies), its request and response headers (secrets redacted) and a Body tab that says
// plainly that bodies are not captured.
class TrafficDetail final : public QTabWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficDetail)
public:
    explicit TrafficDetail(QWidget *parent = nullptr);

    using Explainer = std::function<std::optional<engine::RouteExplanation>(const engine::TrafficEvent &)>;

    void showRequest(const engine::TrafficEvent &request);
    void showNothing();
    // How the overview learns why the other routes did not take a request (the app: the engine's).
    void setExplainer(Explainer explainer) { m_explainer = std::move(explainer); }

private:
    Explainer m_explainer;
    QTextBrowser *m_overview;
    QTreeWidget *m_requestHeaders;
    QTreeWidget *m_responseHeaders;
    QLabel *m_body;
};

} // namespace gatehouse::ui
