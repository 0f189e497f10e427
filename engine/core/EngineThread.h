#pragma once

#include <QList>
#include <QThread>

namespace gatehouse::engine {

// A worker or background thread of the gateway. Its objects are deleted on it at the end of
// run(), and then it frees what OpenSSL keeps per thread, so all of that is gone once wait()
// returns; see run().
class EngineThread final : public QThread
{
public:
    using QThread::QThread;

    // Deleted on this thread when its event loop ends; call before start(), then moveToThread().
    void deleteWhenFinished(QObject *object) { m_owned.append(object); }

protected:
    void run() override;

private:
    QList<QObject *> m_owned;
};

} // namespace gatehouse::engine
