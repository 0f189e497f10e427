#pragma once

#include <atomic>
#include <chrono>
#include <set>
#include <utility>

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QSet>
#include <QList>

class QSocketNotifier;

namespace gatehouse::engine::net {

// An event dispatcher for worker threads on Linux epoll (level-triggered, like QSocketNotifier).
//
// Qt's QEventDispatcherUNIX rebuilds and ppoll()s every registered descriptor on each wake-up;
// with hundreds of keep-alive connections per worker that scan dominated the per-request CPU.
// Here the kernel keeps the interest set, and a wake-up costs only the descriptors that are ready.
// Install with QThread::setEventDispatcher() before the thread starts. Not for the GUI thread.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Readiness of `fd` wakes just one of the threads watching it (EPOLLEXCLUSIVE), not every
    // one: for a listening socket that every worker watches. Set before its read notifier is
    // enabled; a notifier for writing or exceptions on it is not supported. Cleared when done.
    void setWakeOneOnly(int fd, bool on);

private:
    using Clock = std::chrono::steady_clock;

    // The notifiers of one descriptor, indexed by QSocketNotifier::Type (Read, Write, Exception).
    struct Watch
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr};
        quint32 events() const;
    };

    struct Timer
    {
        QObject *object = nullptr;
        qint64 interval = 0; // as registered (registeredTimers() hands it back on moveToThread)
        Qt::TimerType type = Qt::CoarseTimer;
        Clock::time_point deadline;
        bool inTimerEvent = false;
    };

    void updateWatch(int fd, quint32 oldEvents, quint32 newEvents);
    int waitForEvents(int timeoutMs);
    int waitForWakeUpOnly(int timeoutMs);
    void queueActivations(int fd, quint32 revents);
    int activatePending();
    void drainWakeUp();
    int nextTimerTimeoutMs() const;
    void rearm(int timerId, Timer &timer, Clock::time_point now);
    int activateTimers();

    int m_epollFd = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakeUpPending {false};
    // An event posted by this thread's own handlers (a deferred delete, a queued call to itself):
    // the next wait must not block, and no eventfd round trip is needed to say so.
    bool m_postedOnOwnThread = false;
    std::atomic<bool> m_interrupted {false};

    QHash<int, Watch> m_watches; // by descriptor
    QSet<int> m_wakeOneOnly;
    // Notifiers ready in the current batch, sent one by one; unregistering removes a notifier
    // here, so one deleted or disabled by an earlier handler of the same batch is never sent to.
    QList<QSocketNotifier *> m_pending;

    QHash<int, Timer> m_timers; // by timer id
    std::set<std::pair<Clock::time_point, int>> m_deadlines; // (deadline, timer id), soonest first
};

} // namespace gatehouse::engine::net
