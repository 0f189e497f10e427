#pragma once

// raw_upstream.py as a test fixture: an upstream that sends, byte for byte, answers no
// well-behaved server sends (see the script for what each path gets).

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include "tests/integration/IntegrationClients.h"

namespace gatehouse::test::it {

class RawUpstream
{
public:
    ~RawUpstream()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    bool start()
    {
        // Debian's interpreter (`python3` on PATH may be a shim without Debian's modules).
        m_process.start(QStringLiteral("/usr/bin/python3"),
                        { qEnvironmentVariable("GATEHOUSE_SOURCE_DIR") + QStringLiteral("/tests/integration/raw_upstream.py") });
        m_port = waitForPortLine(m_process, m_stdout);
        if (m_port == 0) {
            qWarning("raw_upstream.py did not start: %s", m_process.readAllStandardError().constData());
        }
        return m_port != 0;
    }
    quint16 port() const { return m_port; }
    // How many request heads for `path` the upstream has read so far.
    int requestsFor(const QString &path)
    {
        m_process.waitForReadyRead(100);
        m_stdout += m_process.readAllStandardOutput();
        int count = 0;
        for (const QByteArray &line : m_stdout.split('\n')) {
            count += line.startsWith('{') && QJsonDocument::fromJson(line).object().value(u"path").toString() == path;
        }
        return count;
    }

private:
    QProcess m_process;
    QByteArray m_stdout;
    quint16 m_port = 0;
};

} // namespace gatehouse::test::it
