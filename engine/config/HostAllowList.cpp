#include "HostAllowList.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QNetworkInterface>

#include "engine/config/GatewayConfig.h"
#include "engine/profile/Values.h"

namespace gatehouse::engine {

namespace {

QString hostOf(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']' : address.toString();
}

} // namespace

std::shared_ptr<const HostAllowList> HostAllowList::build(const profile::Listener &listener, const GatewayConfig &config,
                                                          const QStringList &certificateNames,
                                                          const QStringList &machineNames)
{
    auto list = std::make_shared<HostAllowList>();
    if (!listener.allowedHosts.isEmpty()) {
        for (const QString &host : listener.allowedHosts) {
            list->add(host);
        }
        return list;
    }
    for (const char *host : { "localhost", "*.localhost", "127.0.0.1", "[::1]" }) {
        list->add(QString::fromLatin1(host));
    }
    const QString bind = listener.bind.host.toLower();
    if (profile::isWildcardHost(bind)) {
        for (const QString &name : machineNames) {
            list->add(name);
        }
    } else {
        list->add(bind.contains(u':') ? u'[' + bind + u']' : bind);
    }
    for (const CompiledRoute &route : config.routes) {
        for (const QByteArray &host : route.exactHosts) {
            list->add(QString::fromLatin1(host));
        }
        for (const QByteArray &suffix : route.hostSuffixes) {
            list->add(u'*' + QString::fromLatin1(suffix));
        }
    }
    for (const QString &name : certificateNames) {
        list->add(name);
    }
    return list;
}

QStringList HostAllowList::machineNames()
{
    QStringList names { QHostInfo::localHostName().toLower() };
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        QHostAddress plain = address;
        plain.setScopeId(QString()); // a Host header never carries the zone
        names.append(hostOf(plain));
    }
    return names;
}

void HostAllowList::add(const QString &pattern)
{
    const QByteArray text = pattern.toLower().toLatin1();
    if (text == "*") {
        m_any = true;
    } else if (text.startsWith("*.")) {
        if (!m_suffixes.contains(text.sliced(1))) {
            m_suffixes.append(text.sliced(1));
        }
    } else if (!m_exact.contains(text)) {
        m_exact.append(text);
    }
}

bool HostAllowList::allows(QByteArrayView host) const
{
    if (m_any) {
        return true;
    }
    if (host.endsWith('.')) {
        host.chop(1); // "localhost." is the same name, fully qualified
    }
    for (const QByteArray &name : m_exact) {
        if (host == name) {
            return true;
        }
    }
    for (const QByteArray &suffix : m_suffixes) {
        if (host.size() > suffix.size() && host.endsWith(suffix)) {
            return true;
        }
    }
    return false;
}

} // namespace gatehouse::engine
