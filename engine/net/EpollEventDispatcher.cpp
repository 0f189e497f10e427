#include "EpollEventDispatcher.h"

#include <algorithm>
#include <cerrno>
#include <climits>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>
#include <QVarLengthArray>

namespace gatehouse::engine::net {

namespace {

// Events taken from the kernel per wait. Level-triggered: descriptors left over are reported
// again by the next wait (the kernel rotates its ready list, so none starves).
constexpr int kMaxEvents = 256;

// The dispatcher this thread runs (set once it processes events): wakeUp() called from it needs
// no eventfd write, since the thread is awake by definition.
thread_local const EpollEventDispatcher *tl_running = nullptr;

// What activates a notifier of each QSocketNotifier::Type. Hang-ups and errors activate all of
// them, as in QEventDispatcherUNIX: whoever reads or writes next learns what happened.
constexpr quint32 kActivatingEvents[3] = {
    EPOLLIN | EPOLLHUP | EPOLLERR,  // Read
    EPOLLOUT | EPOLLHUP | EPOLLERR, // Write
    EPOLLPRI | EPOLLHUP | EPOLLERR, // Exception
};

bool onOwnThread(const QObject *object, const QObject *dispatcher)
{
    return object->thread() == dispatcher->thread() && dispatcher->thread() == QThread::currentThread();
}

} // namespace

quint32 EpollEventDispatcher::Watch::events() const
{
    return (notifiers[QSocketNotifier::Read] ? quint32(EPOLLIN) : 0u)
        | (notifiers[QSocketNotifier::Write] ? quint32(EPOLLOUT) : 0u)
        | (notifiers[QSocketNotifier::Exception] ? quint32(EPOLLPRI) : 0u);
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epollFd(::epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    if (m_epollFd < 0 || m_wakeFd < 0 || ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeFd, &event) != 0) {
        // Without these a worker thread cannot run at all (descriptor limit at start-up).
        qFatal("EpollEventDispatcher: cannot create epoll instance or eventfd (errno %d)", errno);
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeFd);
    ::close(m_epollFd);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // Same order as QEventDispatcherUNIX: posted events first, then wait, sockets, timers.
    tl_running = this;
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    m_postedOnOwnThread = false;
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_postedOnOwnThread
        && !m_interrupted.load(std::memory_order_acquire);
    if (canWait) {
        Q_EMIT aboutToBlock();
    }
    if (m_interrupted.load(std::memory_order_acquire)) {
        return false;
    }
    // Events posted meanwhile by other threads went through wakeUp(), so the eventfd is readable
    // and the wait returns at once; our own handlers' posts set m_postedOnOwnThread instead,
    // which keeps the next call from waiting.
    // (Checked again here: an aboutToBlock() handler may have posted.)
    const int timeoutMs = !canWait || m_postedOnOwnThread ? 0 : includeTimers ? nextTimerTimeoutMs() : -1;
    int activated = (flags & QEventLoop::ExcludeSocketNotifiers) ? waitForWakeUpOnly(timeoutMs)
                                                                 : waitForEvents(timeoutMs);
    if (includeTimers) {
        activated += activateTimers();
    }
    return activated > 0;
}

// ---- socket notifiers ----------------------------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || !onOwnThread(notifier, this)) {
        qWarning("EpollEventDispatcher: socket notifier for %d not registered (invalid or other thread)", fd);
        return;
    }
    auto it = m_watches.find(fd);
    const quint32 oldEvents = it == m_watches.end() ? 0 : it->events();
    if (it == m_watches.end()) {
        it = m_watches.insert(fd, Watch {});
    }
    if (it->notifiers[type] && it->notifiers[type] != notifier) {
        qWarning("EpollEventDispatcher: multiple socket notifiers for socket %d and type %d", fd, type);
    }
    it->notifiers[type] = notifier;
    updateWatch(fd, oldEvents, it->events());
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    // A handler earlier in this batch may be disabling or deleting it: never send to it again.
    m_pending.removeAll(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    auto it = m_watches.find(fd);
    if (it == m_watches.end() || it->notifiers[type] != notifier) {
        return;
    }
    const quint32 oldEvents = it->events();
    it->notifiers[type] = nullptr;
    const quint32 newEvents = it->events();
    if (newEvents == 0) {
        m_watches.erase(it);
    }
    updateWatch(fd, oldEvents, newEvents);
}

void EpollEventDispatcher::setWakeOneOnly(int fd, bool on)
{
    if (on) {
        m_wakeOneOnly.insert(fd);
    } else {
        m_wakeOneOnly.remove(fd);
    }
}

// One kernel registration per descriptor carries the union of its notifiers' interests.
void EpollEventDispatcher::updateWatch(int fd, quint32 oldEvents, quint32 newEvents)
{
    if (oldEvents == newEvents) {
        return;
    }
    if (newEvents == 0) {
        // ENOENT/EBADF: the descriptor was closed before its notifier was disabled; closing it
        // already removed it from the epoll set.
        if (::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr) != 0 && errno != ENOENT && errno != EBADF) {
            qErrnoWarning("EpollEventDispatcher: epoll_ctl(DEL, %d)", fd);
        }
        return;
    }
    epoll_event event {};
    event.events = newEvents;
    event.data.fd = fd;
    int op = oldEvents == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (op == EPOLL_CTL_ADD && m_wakeOneOnly.contains(fd)) {
        event.events |= EPOLLEXCLUSIVE; // only with ADD: the notifier's disable and enable DEL and ADD again
    }
    if (::epoll_ctl(m_epollFd, op, fd, &event) == 0) {
        return;
    }
    // Our table and the kernel's can disagree when a descriptor was closed (dropping the kernel's
    // entry) and its number reused before the notifiers were disabled: retry with the other op.
    if (op == EPOLL_CTL_MOD && errno == ENOENT) {
        op = EPOLL_CTL_ADD;
    } else if (op == EPOLL_CTL_ADD && errno == EEXIST) {
        op = EPOLL_CTL_MOD;
    } else {
        // EPERM: regular files and some devices cannot be watched by epoll.
        qErrnoWarning("EpollEventDispatcher: cannot watch descriptor %d", fd);
        return;
    }
    if (::epoll_ctl(m_epollFd, op, fd, &event) != 0) {
        qErrnoWarning("EpollEventDispatcher: cannot watch descriptor %d", fd);
    }
}

int EpollEventDispatcher::waitForEvents(int timeoutMs)
{
    epoll_event events[kMaxEvents];
    const int count = ::epoll_wait(m_epollFd, events, kMaxEvents, timeoutMs);
    if (count < 0) {
        if (errno != EINTR) {
            qErrnoWarning("EpollEventDispatcher: epoll_wait");
        }
        return 0;
    }
    int activated = 0;
    for (int i = 0; i < count; ++i) {
        if (events[i].data.fd == m_wakeFd) {
            drainWakeUp();
            ++activated;
        } else {
            queueActivations(events[i].data.fd, events[i].events);
        }
    }
    return activated + activatePending();
}

// For ExcludeSocketNotifiers: only a wake-up or the timeout ends the wait; ready sockets stay
// ready (level-triggered) for a later call.
int EpollEventDispatcher::waitForWakeUpOnly(int timeoutMs)
{
    pollfd wake {m_wakeFd, POLLIN, 0};
    if (::poll(&wake, 1, timeoutMs) <= 0 || !(wake.revents & POLLIN)) {
        return 0;
    }
    drainWakeUp();
    return 1;
}

void EpollEventDispatcher::queueActivations(int fd, quint32 revents)
{
    const auto it = m_watches.constFind(fd);
    if (it == m_watches.cend()) {
        return; // unregistered by an earlier handler of this batch
    }
    for (int type = QSocketNotifier::Read; type <= QSocketNotifier::Exception; ++type) {
        if (it->notifiers[type] && (revents & kActivatingEvents[type])) {
            m_pending.append(it->notifiers[type]);
        }
    }
}

int EpollEventDispatcher::activatePending()
{
    // Taken one at a time from the member list (not a copy): unregisterSocketNotifier() drops
    // entries from it, and a nested event loop in a handler drains it too.
    int activated = 0;
    QEvent event(QEvent::SockAct);
    while (!m_pending.isEmpty()) {
        QSocketNotifier *notifier = m_pending.takeFirst();
        QCoreApplication::sendEvent(notifier, &event);
        ++activated;
    }
    return activated;
}

// ---- wake-ups ------------------------------------------------------------------------------------

void EpollEventDispatcher::wakeUp()
{
    if (tl_running == this) {
        m_postedOnOwnThread = true; // per closed connection, one eventfd write and read fewer
        return;
    }
    // Every postEvent() calls this, often from other threads: only the first since the last
    // drain writes the eventfd.
    if (!m_wakeUpPending.exchange(true, std::memory_order_acq_rel)) {
        ::eventfd_write(m_wakeFd, 1);
    }
}

void EpollEventDispatcher::drainWakeUp()
{
    // Read first, clear second: a wakeUp() coalesced in between posted its event before the
    // caller's next sendPostedEvents(). Clearing first could leave the flag set with the
    // counter read to zero, losing every later wake-up.
    eventfd_t value = 0;
    ::eventfd_read(m_wakeFd, &value);
    m_wakeUpPending.store(false, std::memory_order_release);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

// ---- timers --------------------------------------------------------------------------------------

namespace {

std::chrono::milliseconds effectiveInterval(qint64 interval, Qt::TimerType type)
{
    // Very coarse timers run on whole seconds (rounded), like Qt's. Coarse timers are kept
    // precise: one worker has little to gain from batching its few timers' wake-ups.
    if (type == Qt::VeryCoarseTimer) {
        return std::chrono::milliseconds((interval + 500) / 1000 * 1000);
    }
    return std::chrono::milliseconds(interval);
}

} // namespace

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object || !onOwnThread(object, this)) {
        qWarning("EpollEventDispatcher: timer %d not registered (invalid or other thread)", timerId);
        return;
    }
    unregisterTimer(timerId); // keep m_deadlines consistent should an id ever be reused unreleased
    Timer timer;
    timer.object = object;
    timer.interval = interval;
    timer.type = timerType;
    timer.deadline = Clock::now() + effectiveInterval(interval, timerType);
    m_timers.insert(timerId, timer);
    m_deadlines.emplace(timer.deadline, timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end()) {
        return false;
    }
    m_deadlines.erase({it->deadline, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_deadlines.erase({it->deadline, it.key()});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> result;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object) {
            result.append(TimerInfo(it.key(), int(it->interval), it->type));
        }
    }
    return result;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend()) {
        return -1;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(it->deadline - Clock::now()).count();
    return int(std::clamp<qint64>(left, 0, INT_MAX));
}

// Milliseconds until the first timer that can fire (-1: none). A timer whose handler is still
// running (nested event loop) cannot, and must not turn the nested wait into a busy loop.
int EpollEventDispatcher::nextTimerTimeoutMs() const
{
    for (const auto &[deadline, id] : m_deadlines) {
        if (m_timers.constFind(id)->inTimerEvent) {
            continue;
        }
        // Rounded up: waking a fraction of a millisecond early would only spin once more.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        return int(std::clamp<qint64>(left, 0, INT_MAX));
    }
    return -1;
}

void EpollEventDispatcher::rearm(int timerId, Timer &timer, Clock::time_point now)
{
    const auto interval = effectiveInterval(timer.interval, timer.type);
    auto node = m_deadlines.extract({timer.deadline, timerId}); // reuses the node: no allocation
    timer.deadline += interval;
    if (timer.deadline < now) {
        // Late (a long handler or a stalled thread): skip the missed periods instead of firing a
        // burst. A zero-interval timer lands here and becomes due on the next pass.
        timer.deadline = now + interval;
    }
    node.value() = {timer.deadline, timerId};
    m_deadlines.insert(std::move(node));
}

int EpollEventDispatcher::activateTimers()
{
    if (m_deadlines.empty() || m_deadlines.begin()->first > Clock::now()) {
        return 0;
    }
    // Only timers due now fire, each at most once: a zero-interval timer re-armed below is due
    // only on the next pass, after another look at the sockets, so it cannot starve them.
    const auto now = Clock::now();
    QVarLengthArray<int, 16> due;
    for (auto it = m_deadlines.cbegin(); it != m_deadlines.cend() && it->first <= now; ++it) {
        due.append(it->second);
    }
    int activated = 0;
    for (const int id : due) {
        // Looked up again: an earlier handler may have killed or restarted it, or it may be
        // running already further up the stack (nested event loop).
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->deadline > now || it->inTimerEvent) {
            continue;
        }
        rearm(id, *it, now);
        it->inTimerEvent = true;
        if (it->interval > 0) {
            ++activated; // as Qt: zero timers alone don't make processEvents() report work
        }
        QTimerEvent event(id);
        QCoreApplication::sendEvent(it->object, &event);
        it = m_timers.find(id); // the handler may have added or removed timers
        if (it != m_timers.end()) {
            it->inTimerEvent = false;
        }
    }
    return activated;
}

} // namespace gatehouse::engine::net
