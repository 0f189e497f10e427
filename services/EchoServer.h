#pragma once

#include <chrono>
#include <memory>

#include <QHostAddress>
#include <QObject>
#include <QString>

namespace gatehouse::services {

class EchoServerPrivate;

// `gatehouse echo` (SPEC §1, §6): a small real HTTP/1.1 upstream for demos and tests. Answers
// every request with JSON describing what it received; paths under /_echo/ script failures and
// large bodies for proxy tests (see EchoServer.cpp). Lives on the thread that created it.
class EchoServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EchoServer)

public:
    struct Options
    {
        QString name;
        std::chrono::milliseconds delay { 0 };
        double failRate = 0.0;
    };

    explicit EchoServer(Options options, QObject *parent = nullptr);
    ~EchoServer() override;

    // Listens on host:port (port 0 = any free port). Returns false and sets errorString() on failure.
    bool listen(const QHostAddress &address, quint16 port);
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    QString errorString() const;
    // Stops listening and drops every open connection.
    void close();

private:
    std::unique_ptr<EchoServerPrivate> d;
};

} // namespace gatehouse::services
