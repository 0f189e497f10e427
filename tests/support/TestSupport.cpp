#include "TestSupport.h"

#include <csignal>

#include <QDeadlineTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QThread>

namespace gatehouse::test {

QString gatehouseBinary()
{
    const QString binary = qEnvironmentVariable("GATEHOUSE_BINARY");
    return binary.isEmpty() ? QStringLiteral("gatehouse") : binary;
}

GatehouseProcess::GatehouseProcess()
    : m_process(std::make_unique<QProcess>())
{
}

GatehouseProcess::~GatehouseProcess()
{
    if (m_process->state() != QProcess::NotRunning) {
        terminate(5000);
    }
}

void GatehouseProcess::collect()
{
    m_stdout += m_process->readAllStandardOutput();
    m_stderr += m_process->readAllStandardError();
}

bool GatehouseProcess::waitForListening(int count, int timeoutMs)
{
    static const QRegularExpression listening(QStringLiteral("listening on (?:https?://)?(\\S+):(\\d+)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        collect();
        m_ports.clear();
        auto matches = listening.globalMatch(QString::fromUtf8(m_stderr));
        while (matches.hasNext()) {
            m_ports.append(quint16(matches.next().captured(2).toUInt()));
        }
        if (m_ports.size() >= count) {
            return true;
        }
        if (m_process->state() == QProcess::NotRunning) {
            return false;
        }
        m_process->waitForReadyRead(50);
    }
    return false;
}

bool GatehouseProcess::startEcho(const QString &name, const QStringList &extra)
{
    m_process->start(gatehouseBinary(), QStringList { QStringLiteral("echo"), QStringLiteral("127.0.0.1:0"),
                                                      QStringLiteral("--name"), name } + extra);
    return m_process->waitForStarted(5000) && waitForListening(1, 10000);
}

bool GatehouseProcess::startServe(const QString &profilePath, const QStringList &extra, int expectedListeners)
{
    m_process->start(gatehouseBinary(), QStringList { QStringLiteral("serve"), profilePath } + extra);
    return m_process->waitForStarted(5000) && waitForListening(expectedListeners, 10000);
}

bool GatehouseProcess::startServeUnder(const QString &shellSetup, const QString &profilePath, const QStringList &extra,
                                       int expectedListeners)
{
    // $0 is "bash"; "$@" the binary and its arguments, so none of them is parsed by the shell.
    m_process->start(QStringLiteral("bash"), QStringList { QStringLiteral("-c"), shellSetup + QStringLiteral(" && exec \"$@\""),
                                                           QStringLiteral("bash"), gatehouseBinary(), QStringLiteral("serve"),
                                                           profilePath } + extra);
    return m_process->waitForStarted(5000) && waitForListening(expectedListeners, 10000);
}

int GatehouseProcess::run(const QStringList &args, QByteArray *out, QByteArray *err, int timeoutMs)
{
    QProcess process;
    process.start(gatehouseBinary(), args);
    if (!process.waitForStarted(5000) || !process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        return -1;
    }
    if (out) {
        *out = process.readAllStandardOutput();
    }
    if (err) {
        *err = process.readAllStandardError();
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

quint16 GatehouseProcess::port(int index) const
{
    return m_ports.value(index);
}

QString GatehouseProcess::url(int index) const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port(index));
}

qint64 GatehouseProcess::pid() const
{
    return m_process->processId();
}

void GatehouseProcess::signal(int signal)
{
    if (m_process->processId() > 0) {
        ::kill(pid_t(m_process->processId()), signal);
    }
}

int GatehouseProcess::terminate(int timeoutMs)
{
    if (m_process->state() == QProcess::NotRunning) {
        collect();
        return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    }
    signal(SIGTERM);
    if (!m_process->waitForFinished(timeoutMs)) {
        m_process->kill();
        m_process->waitForFinished(2000);
        collect();
        return -1;
    }
    collect();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

QByteArray GatehouseProcess::stdoutText()
{
    m_process->waitForReadyRead(100);
    collect();
    return m_stdout;
}

QByteArray GatehouseProcess::stderrText()
{
    collect();
    return m_stderr;
}

bool GatehouseProcess::waitForStderr(const QByteArray &text, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        collect();
        if (m_stderr.contains(text)) {
            return true;
        }
        m_process->waitForReadyRead(50);
    }
    return false;
}

QString GatehouseProcess::adminUrl()
{
    if (!waitForStderr("admin API on")) {
        return {};
    }
    static const QRegularExpression announced(QStringLiteral("admin API on (\\S+)"));
    return announced.match(QString::fromUtf8(m_stderr)).captured(1);
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size()) {
        return {};
    }
    return path;
}

QByteArray rawExchange(quint16 port, const QByteArray &request, int timeoutMs, bool *closed)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (closed) {
        *closed = false;
    }
    if (!socket.waitForConnected(3000)) {
        return {};
    }
    socket.write(request);
    socket.waitForBytesWritten(3000);
    QByteArray received;
    while (true) {
        if (socket.bytesAvailable() > 0 || socket.waitForReadyRead(timeoutMs)) {
            received += socket.readAll();
            continue;
        }
        if (socket.state() != QAbstractSocket::ConnectedState || socket.error() == QAbstractSocket::RemoteHostClosedError) {
            received += socket.readAll();
            if (closed) {
                *closed = true;
            }
        }
        break;
    }
    return received;
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

QList<HttpResponse> parseResponses(const QByteArray &raw)
{
    QList<HttpResponse> responses;
    qsizetype pos = 0;
    while (pos < raw.size()) {
        const qsizetype headEnd = raw.indexOf("\r\n\r\n", pos);
        if (headEnd < 0) {
            break;
        }
        HttpResponse response;
        const QList<QByteArray> lines = raw.mid(pos, headEnd - pos).split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        response.status = statusLine.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0) {
                response.headers.append({ lines.at(i).left(colon).trimmed(), lines.at(i).mid(colon + 1).trimmed() });
            }
        }
        pos = headEnd + 4;
        const bool bodyless = response.status < 200 || response.status == 204 || response.status == 304;
        if (bodyless) {
            // no body
        } else if (response.header("transfer-encoding").toLower() == "chunked") {
            while (pos < raw.size()) {
                const qsizetype lineEnd = raw.indexOf("\r\n", pos);
                if (lineEnd < 0) {
                    break;
                }
                bool ok = false;
                const qsizetype size = raw.mid(pos, lineEnd - pos).split(';').first().toLongLong(&ok, 16);
                pos = lineEnd + 2;
                if (!ok || size == 0) {
                    const qsizetype trailerEnd = raw.indexOf("\r\n", pos);
                    pos = trailerEnd < 0 ? raw.size() : trailerEnd + 2;
                    break;
                }
                response.body += raw.mid(pos, size);
                pos += size + 2;
            }
        } else if (!response.header("content-length").isNull()) {
            const qsizetype length = response.header("content-length").toLongLong();
            response.body = raw.mid(pos, length);
            pos += length;
        } else {
            response.body = raw.mid(pos);
            pos = raw.size();
        }
        responses.append(response);
    }
    return responses;
}

int curl(const QStringList &args, QByteArray *out, QByteArray *err, int timeoutMs)
{
    QProcess process;
    process.start(QStringLiteral("curl"), QStringList { QStringLiteral("-s"), QStringLiteral("--max-time"),
                                                         QString::number(timeoutMs / 1000) } + args);
    if (!process.waitForStarted(5000) || !process.waitForFinished(timeoutMs + 2000)) {
        process.kill();
        process.waitForFinished(2000);
        return -1;
    }
    if (out) {
        *out = process.readAllStandardOutput();
    }
    if (err) {
        *err = process.readAllStandardError();
    }
    return process.exitCode();
}

} // namespace gatehouse::test
