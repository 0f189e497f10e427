#pragma once

#include <QObject>

class QSocketNotifier;

namespace gatehouse::app {

// Turns SIGINT, SIGTERM and SIGHUP into Qt signals (the self-pipe trick: the handler only
// writes a byte; everything else happens on the event loop).
class SignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminateRequested(int signal);
    void reloadRequested();

private:
    void onActivated();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace gatehouse::app
