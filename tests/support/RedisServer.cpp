#include "RedisServer.h"

#include <csignal>

#include <sys/prctl.h>

#include <QDeadlineTimer>
#include <QTcpSocket>
#include <QTest>

namespace gatehouse::test {

RedisServer::~RedisServer()
{
    stop();
}

bool RedisServer::start(quint16 port)
{
    m_port = port;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    // Dies with the test even when the test crashes, so no server outlives it.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start(QStringLiteral("redis-server"),
                     { QStringLiteral("--port"), QString::number(port), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                       QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"), QStringLiteral("no"),
                       QStringLiteral("--dir"), m_dir.path() });
    if (!m_process->waitForStarted(5'000)) {
        return false;
    }
    const QDeadlineTimer deadline(5'000);
    while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
        if (command("PING") == "+PONG") {
            return true;
        }
        QTest::qWait(20);
    }
    return false;
}

void RedisServer::stop()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        resume();
        m_process->kill();
        m_process->waitForFinished(5'000);
    }
}

// Guarded: pid 0 (not running) would signal the whole process group, ctest included.
void RedisServer::pause()
{
    if (m_process->processId() > 0) {
        ::kill(pid_t(m_process->processId()), SIGSTOP);
    }
}

void RedisServer::resume()
{
    if (m_process->processId() > 0) {
        ::kill(pid_t(m_process->processId()), SIGCONT);
    }
}

QString RedisServer::url(const QString &db) const
{
    return QStringLiteral("redis://127.0.0.1:%1").arg(m_port) + (db.isEmpty() ? QString() : u'/' + db);
}

QByteArray RedisServer::command(const QByteArray &line, int timeoutMs) const
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), m_port);
    if (!socket.waitForConnected(timeoutMs)) {
        return {};
    }
    socket.write(line + "\r\n");
    QByteArray reply;
    const QDeadlineTimer deadline(timeoutMs);
    while (!reply.contains("\r\n") && socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
        reply += socket.readAll();
    }
    return reply.left(reply.indexOf("\r\n"));
}

} // namespace gatehouse::test
