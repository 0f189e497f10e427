#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

namespace gatehouse::ui {
class MainWindow;
}

namespace gatehouse::app {

// Benchmark hooks of the desktop app (bench/ui-responsiveness.sh), off unless asked for:
//
// - GATEHOUSE_UI_STALL_LOG=PATH: a 5 ms precise timer on the GUI thread measures how late each
//   tick is (lateness = time since the previous tick − 5 ms, i.e. how long the event loop was
//   busy elsewhere) and appends one JSON line per second to PATH, flushed:
//   {"t": seconds since start, "unix_ms": wall clock, "max_stall_ms": worst lateness in that
//   second, "ticks": ticks in that second}
// - GATEHOUSE_UI_PAGE=traffic|logs|charts|routes|upstreams|jwt|rate-limits|listeners|tester:
//   the page the window shows.
class UiStallProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UiStallProbe)
public:
    static constexpr int kIntervalMs = 5;

    // The probe GATEHOUSE_UI_STALL_LOG asks for, started, owned by `parent`; nullptr when the
    // variable is unset or the file cannot be opened (said on stderr).
    static UiStallProbe *startFromEnvironment(QObject *parent);
    // Shows the page GATEHOUSE_UI_PAGE names; an unknown name is said on stderr and ignored.
    static void showPageFromEnvironment(ui::MainWindow &window);

    explicit UiStallProbe(const QString &path, QObject *parent = nullptr);
    bool start(QString *error);

private:
    void tick();
    void writeSecond(qint64 nowNs);

    QFile m_file;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastTickNs = 0;
    qint64 m_secondStartNs = 0;
    qint64 m_worstNs = 0;
    int m_ticks = 0;
};

} // namespace gatehouse::app
