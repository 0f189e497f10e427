#pragma once

#include <QElapsedTimer>
#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;
class QTreeWidget;

namespace gatehouse::engine {
class Gateway;
class SecretStore;
}

namespace gatehouse::ui {

class ChartsView;
class ForeignFormats;
class ListenersPage;
class LogCapture;
class LogModel;
class ProfileDocument;
class TrafficModel;
class TrafficView;

// The app's window: a sidebar with the profile's parts (Routes, Upstreams, JWT, Rate limits,
// Listeners) and the live views (Traffic, Logs, Charts, Route tester), one page each; the status
// bar shows the listeners and requests/s. It talks to the engine only through the Gateway facade.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    enum Page { Routes, Upstreams, Jwt, RateLimits, Listeners, Traffic, Logs, Charts, Tester, PageCount };

    // `secrets` (not owned; may be null) is where the JWT editor keeps shared secrets: the OS keychain.
    explicit MainWindow(engine::Gateway &gateway, engine::SecretStore *secrets = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The engine did not start (a port in use, a missing secret): said in the window, with what to do.
    void showStartError(const QString &message);
    void showPage(Page page);
    TrafficModel *trafficModel() const { return m_traffic; }
    ProfileDocument *document() const { return m_document; }
    // Opens a profile file and runs it; an invalid file is shown with its line:column problems
    // and changes nothing.
    bool openProfile(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildProfilePage(Page page);
    void buildMenus();
    void applyToEngine();
    void updateTitle();
    void showProblems(const QString &title, const QStringList &problems);
    // Unsaved changes: true when they were saved or may be dropped, false to stay.
    bool settleUnsavedChanges();
    bool save();
    bool saveAs();
    void newProfile();
    void refreshProfile();
    void refreshCounters();

    engine::Gateway &m_gateway;
    TrafficModel *m_traffic = nullptr;
    LogModel *m_logs = nullptr;
    LogCapture *m_capture = nullptr;
    ChartsView *m_charts = nullptr;
    TrafficView *m_trafficView = nullptr;
    ProfileDocument *m_document = nullptr;
    ForeignFormats *m_foreignFormats = nullptr;
    ListenersPage *m_listenersPage = nullptr;
    QWidget *m_diskChanged = nullptr;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_startError = nullptr;
    QLabel *m_listeners = nullptr;
    QLabel *m_requests = nullptr;
    QLabel *m_warnings = nullptr;
    engine::SecretStore *m_secrets = nullptr;
    quint64 m_lastCount = 0;
    QElapsedTimer m_sinceLast;
};

} // namespace gatehouse::ui
