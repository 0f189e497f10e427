#pragma once

#include <functional>
#include <optional>

#include <QTabWidget>

#include "engine/core/BodyCapture.h"
#include "engine/pipeline/RouteExplainer.h"
#include "engine/traffic/TrafficEvent.h"

class QLabel;
class QPlainTextEdit;
class QTextBrowser;
class QTreeWidget;

namespace gatehouse::ui {

// The lower half of the traffic view: one request's Overview (route decision, status, timing,
// policies), its request and response headers (secrets redacted) and its bodies as far as they
// were captured (BodyPreview).
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
    // What the engine captures now, to say why a body is missing.
    void setBodyPolicy(engine::BodyCapturePolicy policy) { m_bodyPolicy = policy; }

private:
    struct BodyPane
    {
        QLabel *summary;
        QPlainTextEdit *text;
    };
    QWidget *createBodies();
    BodyPane createBodyPane(const QString &name, const QString &title, QWidget *parent);

    Explainer m_explainer;
    engine::BodyCapturePolicy m_bodyPolicy;
    QTextBrowser *m_overview;
    QTreeWidget *m_requestHeaders;
    QTreeWidget *m_responseHeaders;
    BodyPane m_requestBody {};
    BodyPane m_responseBody {};
};

} // namespace gatehouse::ui
