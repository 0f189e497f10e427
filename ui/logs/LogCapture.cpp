#include "LogCapture.h"

#include <mutex>

namespace gatehouse::ui {

namespace {

// Messages wait here, from any thread, until the UI thread's timer takes them. Bounded: a
// thread logging in a loop cannot grow it without limit; what overflows is counted.
constexpr qsizetype kMaxPending = 5000;

std::mutex g_mutex;
LogCapture *g_capture = nullptr; // guarded by g_mutex
QtMessageHandler g_previous = nullptr;
QList<LogEntry> g_pending;
qint64 g_overflow = 0;

} // namespace

LogCapture::LogCapture(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<QList<gatehouse::ui::LogEntry>>();
    {
        std::lock_guard lock(g_mutex);
        Q_ASSERT(!g_capture);
        g_capture = this;
    }
    g_previous = qInstallMessageHandler(&LogCapture::handle);
    m_timer.setInterval(150);
    connect(&m_timer, &QTimer::timeout, this, &LogCapture::flush);
    m_timer.start();
}

LogCapture::~LogCapture()
{
    qInstallMessageHandler(g_previous);
    std::lock_guard lock(g_mutex);
    g_capture = nullptr;
    g_pending.clear();
}

void LogCapture::handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        std::lock_guard lock(g_mutex);
        if (g_capture) {
            if (g_pending.size() < kMaxPending) {
                g_pending.append({ QDateTime::currentDateTime(), type, QString::fromLatin1(context.category), message });
            } else {
                ++g_overflow;
            }
        }
    }
    if (g_previous) {
        g_previous(type, context, message);
    }
}

void LogCapture::flush()
{
    QList<LogEntry> entries;
    qint64 overflow = 0;
    {
        std::lock_guard lock(g_mutex);
        entries.swap(g_pending);
        std::swap(overflow, g_overflow);
    }
    if (overflow > 0) {
        entries.append({ QDateTime::currentDateTime(), QtWarningMsg, QStringLiteral("gatehouse.app"),
                         tr("%n message(s) dropped: more arrived than the log view takes", nullptr, int(overflow)) });
    }
    if (!entries.isEmpty()) {
        Q_EMIT batch(entries);
    }
}

} // namespace gatehouse::ui
