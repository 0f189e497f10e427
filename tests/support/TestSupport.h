#pragma once

#include <memory>

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

// Helpers for integration tests: real `gatehouse` processes (echo upstreams and the gateway)
// on free loopback ports, real clients (raw sockets, curl).
namespace gatehouse::test {

// The built binary, from GATEHOUSE_BINARY (set by ctest).
QString gatehouseBinary();

// A child `gatehouse` process, stopped (SIGTERM, then SIGKILL) when destroyed.
class GatehouseProcess final
{
public:
    GatehouseProcess();
    ~GatehouseProcess();
    GatehouseProcess(const GatehouseProcess &) = delete;
    GatehouseProcess &operator=(const GatehouseProcess &) = delete;

    // `gatehouse echo 127.0.0.1:0 --name NAME extra...`; waits for its "listening on" line.
    bool startEcho(const QString &name, const QStringList &extra = {});
    // `gatehouse serve PROFILE extra...`; waits until every listener is announced.
    bool startServe(const QString &profilePath, const QStringList &extra = {}, int expectedListeners = 1);
    // The same through `bash -c 'SETUP && exec gatehouse serve PROFILE extra...'`: the process gets
    // what the shell set up (`ulimit -n 64`) and keeps the shell's pid.
    bool startServeUnder(const QString &shellSetup, const QString &profilePath, const QStringList &extra = {},
                         int expectedListeners = 1);
    // Any command; waits for it to finish. Returns the exit code (-1 on timeout/crash).
    static int run(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr,
                   int timeoutMs = 15000);

    quint16 port(int index = 0) const; // announced ports in order
    QString url(int index = 0) const; // "http://127.0.0.1:PORT"
    QProcess &process() { return *m_process; }
    qint64 pid() const;
    void signal(int signal); // e.g. SIGHUP
    // SIGTERM and wait; returns the exit code, or -1 if it had to be killed or crashed.
    int terminate(int timeoutMs = 15000);
    QByteArray stdoutText(); // everything read so far (waits briefly for more)
    QByteArray stderrText();
    // Waits until stderr contains `text` (or timeout).
    bool waitForStderr(const QByteArray &text, int timeoutMs = 5000);
    // The admin API's URL as the gateway announced it (waits as waitForStderr()); empty without one.
    QString adminUrl();

private:
    bool waitForListening(int count, int timeoutMs);
    void collect();

    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QList<quint16> m_ports;
};

// Writes `content` to a file in `dir` and returns its path; empty when it could not be written.
QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content);

// A blocking raw exchange: connects, sends `request`, reads until the peer closes or
// `timeoutMs` passes without new bytes. `closed` tells which happened.
QByteArray rawExchange(quint16 port, const QByteArray &request, int timeoutMs = 3000, bool *closed = nullptr);

struct HttpResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QByteArray header(const QByteArray &name) const; // first, case-insensitive
};
// Splits consecutive HTTP/1.1 responses (Content-Length or chunked bodies) from raw bytes.
QList<HttpResponse> parseResponses(const QByteArray &raw);

// Runs curl with args (it adds -s and a max time); returns exit code and output.
int curl(const QStringList &args, QByteArray *out, QByteArray *err = nullptr, int timeoutMs = 15000);

} // namespace gatehouse::test
