#pragma once

#include <QElapsedTimer>
#include <QMainWindow>

class QLabel;
class QListWidget;
class QTreeWidget;

namespace gatehouse::engine {
class Gateway;
}

namespace gatehouse::ui {

// The first, minimal window: listeners, a request counter with the rate, the profile's routes
// as a read-only list and the upstreams' live target state. The full desktop app replaces it.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(engine::Gateway &gateway, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showStartError(const QString &message);

private:
    void refreshProfile();
    void refreshCounters();
    void refreshUpstreams();

    engine::Gateway &m_gateway;
    QLabel *m_listeners = nullptr;
    QLabel *m_requests = nullptr;
    QLabel *m_warnings = nullptr;
    QListWidget *m_routes = nullptr;
    QTreeWidget *m_upstreams = nullptr;
    quint64 m_lastCount = 0;
    QElapsedTimer m_sinceLast;
};

} // namespace gatehouse::ui
