#include "TestProfiles.h"

#include <QTcpServer>

namespace gatehouse::test {

namespace {

QByteArray head(const QByteArray &name)
{
    return "gatehouse: 1\n"
           "name: " + name + "\n"
           "listen:\n"
           "  - bind: 127.0.0.1:0\n";
}

} // namespace

QByteArray helloProfile(const QByteArray &name)
{
    return head(name) + "routes:\n"
                        "  - name: hello\n"
                        "    match: { path: /hello }\n"
                        "    respond: { status: 200, body: hi }\n";
}

QByteArray echoProfile(const QByteArray &name, const QString &echoUrl, const QByteArray &routes, const QByteArray &more)
{
    return head(name) + "upstreams:\n"
                        "  - name: echo\n"
                        "    targets: [{ url: \"" + echoUrl.toLatin1() + "\" }]\n"
                        "routes:\n" + routes + more;
}

QByteArray unhealthyPoolProfile(const QByteArray &name, quint16 deadPort)
{
    return head(name) + "upstreams:\n"
                        "  - name: pool\n"
                        "    targets: [{ url: \"http://127.0.0.1:" + QByteArray::number(deadPort) + "\" }]\n"
                        "    health_check: { path: /health, interval: 100ms, timeout: 100ms, unhealthy_after: 1 }\n"
                        "routes:\n"
                        "  - name: pool\n"
                        "    match: { path: /pool }\n"
                        "    upstream: pool\n";
}

quint16 closedLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

} // namespace gatehouse::test
