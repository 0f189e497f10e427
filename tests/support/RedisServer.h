#pragma once

#include <memory>

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

// A real redis-server from Debian on a loopback port, without persistence, killed when
// destroyed. Tests pause it (SIGSTOP) to make it unreachable without freeing its port.
namespace gatehouse::test {

class RedisServer final
{
public:
    RedisServer() = default;
    ~RedisServer();
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    // Starts it on `port` and waits (up to 5 s) until it answers PING.
    bool start(quint16 port);
    void stop();
    void pause();
    void resume();
    quint16 port() const { return m_port; }
    // "redis://127.0.0.1:PORT" or ".../DB".
    QString url(const QString &db = QString()) const;
    // Sends one inline command ("FLUSHALL") and returns the first reply line ("+OK").
    QByteArray command(const QByteArray &line, int timeoutMs = 2000) const;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
};

} // namespace gatehouse::test
