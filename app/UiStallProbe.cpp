#include "UiStallProbe.h"

#include <algorithm>

#include <QDateTime>

#include "app/Commands.h"
#include "ui/MainWindow.h"

namespace gatehouse::app {

namespace {

constexpr qint64 kSecondNs = 1'000'000'000;

} // namespace

UiStallProbe *UiStallProbe::startFromEnvironment(QObject *parent)
{
    const QString path = qEnvironmentVariable("GATEHOUSE_UI_STALL_LOG");
    if (path.isEmpty()) {
        return nullptr;
    }
    auto *probe = new UiStallProbe(path, parent);
    QString error;
    if (!probe->start(&error)) {
        printError(QStringLiteral("GATEHOUSE_UI_STALL_LOG: %1").arg(error));
        delete probe;
        return nullptr;
    }
    return probe;
}

void UiStallProbe::showPageFromEnvironment(ui::MainWindow &window)
{
    const QString name = qEnvironmentVariable("GATEHOUSE_UI_PAGE").trimmed().toLower();
    if (name.isEmpty()) {
        return;
    }
    static const struct {
        const char *name;
        ui::MainWindow::Page page;
    } pages[] = {
        { "routes", ui::MainWindow::Routes },       { "upstreams", ui::MainWindow::Upstreams },
        { "jwt", ui::MainWindow::Jwt },             { "rate-limits", ui::MainWindow::RateLimits },
        { "ratelimits", ui::MainWindow::RateLimits }, { "listeners", ui::MainWindow::Listeners },
        { "traffic", ui::MainWindow::Traffic },     { "logs", ui::MainWindow::Logs },
        { "charts", ui::MainWindow::Charts },       { "tester", ui::MainWindow::Tester },
    };
    for (const auto &entry : pages) {
        if (name == QLatin1String(entry.name)) {
            window.showPage(entry.page);
            return;
        }
    }
    printError(QStringLiteral("GATEHOUSE_UI_PAGE: unknown page '%1' (traffic, logs, charts, routes, upstreams, jwt, "
                              "rate-limits, listeners, tester)")
                   .arg(name));
}

UiStallProbe::UiStallProbe(const QString &path, QObject *parent)
    : QObject(parent)
    , m_file(path)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &UiStallProbe::tick);
}

bool UiStallProbe::start(QString *error)
{
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text)) {
        if (error) {
            *error = QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString());
        }
        return false;
    }
    m_clock.start();
    m_lastTickNs = 0;
    m_secondStartNs = 0;
    m_worstNs = 0;
    m_ticks = 0;
    m_timer.start();
    return true;
}

void UiStallProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 late = now - m_lastTickNs - qint64(kIntervalMs) * 1'000'000;
    m_lastTickNs = now;
    m_worstNs = std::max(m_worstNs, late);
    ++m_ticks;
    if (now - m_secondStartNs >= kSecondNs) {
        writeSecond(now);
    }
}

void UiStallProbe::writeSecond(qint64 nowNs)
{
    const QByteArray line = QByteArrayLiteral("{\"t\": ") + QByteArray::number(double(nowNs) / kSecondNs, 'f', 3)
        + QByteArrayLiteral(", \"unix_ms\": ") + QByteArray::number(QDateTime::currentMSecsSinceEpoch())
        + QByteArrayLiteral(", \"max_stall_ms\": ") + QByteArray::number(double(m_worstNs) / 1e6, 'f', 3)
        + QByteArrayLiteral(", \"ticks\": ") + QByteArray::number(m_ticks) + QByteArrayLiteral("}\n");
    m_file.write(line);
    m_file.flush();
    m_secondStartNs = nowNs;
    m_worstNs = 0;
    m_ticks = 0;
}

} // namespace gatehouse::app
