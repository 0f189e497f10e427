#include "SignalWatcher.h"

#include <csignal>

#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>

namespace gatehouse::app {

namespace {

int g_fds[2] = { -1, -1 };

void onSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const ssize_t ignored = ::write(g_fds[0], &byte, 1);
}

} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds);
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::onActivated);
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signal : { SIGINT, SIGTERM, SIGHUP }) {
        ::sigaction(signal, &action, nullptr);
    }
}

SignalWatcher::~SignalWatcher()
{
    for (const int signal : { SIGINT, SIGTERM, SIGHUP }) {
        ::signal(signal, SIG_DFL);
    }
    ::close(g_fds[0]);
    ::close(g_fds[1]);
    g_fds[0] = g_fds[1] = -1;
}

void SignalWatcher::onActivated()
{
    char byte = 0;
    if (::read(g_fds[1], &byte, 1) != 1) {
        return;
    }
    if (byte == SIGHUP) {
        Q_EMIT reloadRequested();
    } else {
        Q_EMIT terminateRequested(byte);
    }
}

} // namespace gatehouse::app
